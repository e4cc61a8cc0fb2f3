import type { Code, StreamRequest, UnaryRequest } from '@connectrpc/connect';
import type { Attributes } from '@opentelemetry/api';
import {
  ATTR_ERROR_TYPE,
  ATTR_RPC_METHOD,
  ATTR_RPC_STATUS_CODE,
  ATTR_RPC_SYSTEM_NAME,
  ATTR_SERVER_ADDRESS,
  ATTR_SERVER_PORT,
  RPC_SYSTEM_NAME_VALUE_GRPC,
} from '@opentelemetry/semantic-conventions';
import { connectErrorCodeName, grpcStatusCode, statusCodeName } from './codes.js';

// Incubating names are copied rather than imported from `semantic-conventions/incubating`, as that
// package advises: its incubating exports may change in minor releases.
const RPC_SYSTEM_NAME_VALUE_CONNECTRPC = 'connectrpc';
// Deprecated attributes (semconv ≤ 1.37), emitted only when legacy attributes are asked for.
const ATTR_RPC_SYSTEM = 'rpc.system';
const ATTR_RPC_SERVICE = 'rpc.service';
const ATTR_RPC_GRPC_STATUS_CODE = 'rpc.grpc.status_code';
const ATTR_RPC_CONNECT_RPC_ERROR_CODE = 'rpc.connect_rpc.error_code';

export type RpcRequest = UnaryRequest | StreamRequest;

/** The wire protocol of a call, as `rpc.system.name` names it. */
export type RpcSystem = typeof RPC_SYSTEM_NAME_VALUE_CONNECTRPC | typeof RPC_SYSTEM_NAME_VALUE_GRPC;

/**
 * Connect requests do not say which protocol they use, but the content type does:
 * `application/grpc…` and `application/grpc-web…` are gRPC (gRPC-Web is gRPC on the wire as far
 * as semconv is concerned); everything else — `application/json`, `application/proto`,
 * `application/connect+…`, or a Connect GET without a body — is the Connect protocol.
 */
export function rpcSystemOf(header: Headers): RpcSystem {
  const contentType = header.get('content-type') ?? '';
  return contentType.startsWith('application/grpc') ? RPC_SYSTEM_NAME_VALUE_GRPC : RPC_SYSTEM_NAME_VALUE_CONNECTRPC;
}

/** Span name and `rpc.method`: the fully-qualified `package.Service/Method`. */
export function rpcMethodName(req: RpcRequest): string {
  return `${req.service.typeName}/${req.method.name}`;
}

/** Attributes known when the call starts. */
export function startAttributes(req: RpcRequest, system: RpcSystem, legacy: boolean): Attributes {
  return { ...methodAttributes(req.service.typeName, req.method.name, system, legacy), ...serverAddress(req.url) };
}

/**
 * A method's start attributes, for any transport: the Connect interceptors here and the kit's
 * own grpc-js hop use this one vocabulary, so a trace reads the same whichever protocol a hop took.
 */
export function methodAttributes(serviceTypeName: string, methodName: string, system: RpcSystem, legacy: boolean): Attributes {
  const attributes: Attributes = { [ATTR_RPC_SYSTEM_NAME]: system, [ATTR_RPC_METHOD]: `${serviceTypeName}/${methodName}` };
  if (legacy) {
    attributes[ATTR_RPC_SYSTEM] = system === RPC_SYSTEM_NAME_VALUE_GRPC ? 'grpc' : 'connect_rpc';
    attributes[ATTR_RPC_SERVICE] = serviceTypeName;
  }
  return attributes;
}

/** Attributes known when the call ends; `code` is undefined for success. */
export function endAttributes(code: Code | undefined, failed: boolean, system: RpcSystem, legacy: boolean): Attributes {
  const attributes: Attributes = { [ATTR_RPC_STATUS_CODE]: statusCodeName(code) };
  if (failed) attributes[ATTR_ERROR_TYPE] = statusCodeName(code);
  if (legacy) {
    // The old conventions differ per protocol: a numeric status for gRPC (0 on success), a string
    // error code for Connect, set only when the call failed.
    if (system === RPC_SYSTEM_NAME_VALUE_GRPC) attributes[ATTR_RPC_GRPC_STATUS_CODE] = grpcStatusCode(code);
    else if (code !== undefined) attributes[ATTR_RPC_CONNECT_RPC_ERROR_CODE] = connectErrorCodeName(code);
  }
  return attributes;
}

function serverAddress(url: string): Attributes {
  const parsed = URL.parse(url);
  if (!parsed?.hostname) return {};
  // URL keeps IPv6 literals in brackets; semconv wants the bare address.
  const address = parsed.hostname.replace(/^\[(.*)\]$/, '$1');
  const port = parsed.port ? Number(parsed.port) : defaultPorts[parsed.protocol];
  return port === undefined
    ? { [ATTR_SERVER_ADDRESS]: address }
    : { [ATTR_SERVER_ADDRESS]: address, [ATTR_SERVER_PORT]: port };
}

const defaultPorts: Readonly<Record<string, number>> = { 'http:': 80, 'https:': 443 };
