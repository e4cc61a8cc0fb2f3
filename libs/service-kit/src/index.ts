export { runApp, type AppDefinition, type AppParts, type RunningApp, type SetupContext } from './run-app.js';
export { service, type ServiceRegistration } from './service-registration.js';
export { createServiceClient, type ServiceClient } from './client.js';
export { createGrpcTransport, type GrpcTransportOptions } from './grpc-transport.js';
export { currentCallScope, runInCallScope, type CallScope } from './call-scope.js';
export { invalidArgument, failedPrecondition, unavailable, grpcCodeName } from './errors.js';
export { loadConfig, baseEnvSpec, ConfigError } from './config.js';
export { ServiceMetrics } from './metrics.js';
export { compileMessageChecks, type FieldViolation } from './message-checks.js';
