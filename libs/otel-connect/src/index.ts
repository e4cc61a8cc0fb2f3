// OpenTelemetry tracing for Connect-ES v2: one interceptor for servers, one for clients.
export { createServerTracingInterceptor } from './server-interceptor.js';
export { createClientTracingInterceptor } from './client-interceptor.js';
export type { TracingInterceptorOptions } from './options.js';
export { DEFAULT_TRACER_NAME } from './options.js';
export type { RpcRequest, RpcSystem } from './rpc-attributes.js';
export type { SpanSide } from './codes.js';
export { codeOfError, grpcStatusCode, isErrorStatus, statusCodeName } from './codes.js';
export { endAttributes, methodAttributes } from './rpc-attributes.js';
