import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServerTracingInterceptor } from '@feedmesh/otel-connect';
import { createIdentity, type Identity } from '@feedmesh/identity';
import { createLogger, type Logger } from '@feedmesh/telemetry';
import * as grpc from '@grpc/grpc-js';
import { Admission } from './admission.js';
import { appVersion, VERSION_HEADER } from './build-info.js';
import { CallPolicy } from './call-policy.js';
import { ConfigError, loadConfig, type AppEnv, type BaseEnv, type EnvSpec } from './config.js';
import { createConnectHttpHandler, sendError } from './connect-adapter.js';
import { addGrpcService } from './grpc-adapter.js';
import { GrpcHealth } from './health.js';
import { checkReadiness, handleOpsRequest, type ReadinessChecks } from './http-endpoints.js';
import { Http1Server } from './http1-server.js';
import { ConnectionListener } from './listener.js';
import { ServiceMetrics, setProcessMetrics, type PoolStats } from './metrics.js';
import { addReflection } from './reflection.js';
import { closeAfterResponse } from './request-limits.js';
import type { ServiceRegistration } from './service-registration.js';
import { exitOnSignals, gracefulShutdown } from './shutdown.js';

export interface SetupContext<Env> {
  env: Env;
  logger: Logger;
  metrics: ServiceMetrics;
  /** Who may call: the gates the kit checks every RPC with, for the app's own HTTP routes to use too. */
  identity: Identity;
}

/** What an app's setup returns: what it serves, how to tell it is ready, how to close it. */
export interface AppParts {
  services: ServiceRegistration[];
  /** Readiness checks, e.g. `{ postgres: () => pool.query('select 1') }`. */
  readiness?: ReadinessChecks;
  pools?: PoolStats;
  /** Plain HTTP/1.1 routes beside Connect, e.g. a strict JSON ingest endpoint. */
  httpRoutes?: HttpRoute[];
  /** Closes pools and clients after the last call finished. */
  close?: () => Promise<void>;
}

export interface HttpRoute {
  method: string;
  path: string;
  handler(req: IncomingMessage, res: ServerResponse): void;
}

export interface AppDefinition<S extends EnvSpec = EnvSpec> {
  name: string;
  /** The package version (`packageVersion(__dirname)`); BUILD_VERSION / GIT_SHA refine it (build-info.ts). */
  version?: string;
  defaultPort: number;
  env?: S;
  setup(context: SetupContext<AppEnv<S>>): Promise<AppParts> | AppParts;
}

export interface RunningApp {
  readonly port: number;
  readonly address: string;
  readonly logger: Logger;
  /**
   * Graceful stop: readiness and health say NOT_SERVING at once, the port keeps serving for
   * SHUTDOWN_DELAY_MS, then stops accepting and lets in-flight calls on both protocols finish
   * within SHUTDOWN_GRACE_MS before closing.
   */
  shutdown(reason?: string): Promise<void>;
}

/**
 * Starts an app: one TCP port that speaks gRPC (HTTP/2 cleartext, served by grpc-js) and
 * HTTP/1.1 (Connect JSON via connect-node, plus /healthz, /readyz and /metrics). Each connection
 * is routed by its first bytes, so standard gRPC tools and plain curl work on the same PORT.
 */
export async function runApp<S extends EnvSpec>(definition: AppDefinition<S>, options: RunOptions = {}): Promise<RunningApp> {
  if (!(options.handleSignals ?? true)) return startApp(definition, options);
  // As a process of its own: a start that fails (bad config, database down) is one clear log
  // line and exit code 1, not an unhandled-rejection stack trace.
  return startApp(definition, options).catch((error: Error) => {
    createLogger(definition.name, { level: 'info' }).fatal({ err: error instanceof ConfigError ? undefined : error }, `${definition.name} failed to start: ${error.message}`);
    process.exit(1);
  });
}

interface RunOptions {
  env?: NodeJS.ProcessEnv;
  /** Own the process: SIGTERM/SIGINT shut down, a failed start exits 1 (default true). */
  handleSignals?: boolean;
}

async function startApp<S extends EnvSpec>(definition: AppDefinition<S>, options: RunOptions): Promise<RunningApp> {
  const appEnv = loadConfig((definition.env ?? {}) as S, definition.defaultPort, options.env);
  const env: BaseEnv = appEnv;
  const logger = createLogger(definition.name, { level: env.LOG_LEVEL });
  const version = appVersion(definition.version ?? 'unknown', env);
  const metrics = new ServiceMetrics(definition.name, version);
  setProcessMetrics(metrics);
  const identity = await createIdentity(env, { appName: definition.name });
  const parts = await definition.setup({ env: appEnv, logger, metrics, identity });
  if (parts.pools) metrics.registerPools(parts.pools);
  if (parts.services.some((s) => s.access !== 'mesh')) identity.requireEdgeKeys();
  logger.info({ auth: env.AUTH_MODE, meshAuth: env.MESH_AUTH, reflection: env.REFLECTION_ACCESS }, 'who may call');

  const policy = createCallPolicy(env, logger, metrics, parts.services, identity, version);
  const services = parts.services.map((s) => s.service);
  const { grpcServer, health } = grpcSide(parts.services, policy, env, identity);
  let serving = true;
  metrics.registerReadiness(() => (serving ? checkReadiness(parts.readiness ?? {}) : undefined));
  const http1 = http1Side(parts, policy, env, () => serving, metrics, logger);
  const injector = grpcServer.createConnectionInjector(grpc.ServerCredentials.createInsecure());
  const listener = new ConnectionListener(
    { http2: (socket) => injector.injectConnection(socket), http1: (socket) => http1.server.emit('connection', socket) },
    env.FIRST_BYTE_TIMEOUT_MS,
  );
  const port = await listener.listen(env.PORT, env.HOST);
  logger.info({ port, version, services: services.map((s) => s.typeName) }, `${definition.name} listening`);
  // Lets a parent that forked the app (tests, the dev launcher) learn an ephemeral port.
  process.send?.({ type: 'listening', app: definition.name, port });

  const shutdown = gracefulShutdown({
    logger,
    delayMs: env.SHUTDOWN_DELAY_MS,
    graceMs: env.SHUTDOWN_GRACE_MS,
    stopServing: () => (serving = false),
    health,
    listener,
    grpcServer,
    http1,
    close: async () => {
      await parts.close?.();
      identity.close();
    },
  });
  if (options.handleSignals ?? true) exitOnSignals(shutdown, logger);
  return { port, address: `127.0.0.1:${port}`, logger, shutdown };
}

/** One policy for both protocols; its admission bound is one for both too (health, readiness, metrics and reflection are served outside it, so an overloaded app still answers its probes). */
function createCallPolicy(env: BaseEnv, logger: Logger, metrics: ServiceMetrics, registrations: ServiceRegistration[], identity: Identity, version: string): CallPolicy {
  const admission = new Admission({
    maxConcurrent: env.MAX_CONCURRENT_CALLS,
    adaptive: env.ADAPTIVE_CONCURRENCY,
    minConcurrent: env.MIN_CONCURRENT_CALLS,
    maxQueued: env.MAX_QUEUED_CALLS,
    maxQueueWaitMs: env.MAX_QUEUE_WAIT_MS,
  });
  metrics.registerAdmission(admission);
  return new CallPolicy({
    logger,
    metrics,
    maxMessageBytes: env.MAX_MESSAGE_BYTES,
    rejectUnknownFields: env.REJECT_UNKNOWN_FIELDS,
    maxDeadlineMs: env.MAX_DEADLINE_MS,
    admission,
    registrations,
    gates: identity,
    version,
  });
}

/** gRPC over HTTP/2 (grpc-js): the app's services, health and reflection. */
function grpcSide(registrations: ServiceRegistration[], policy: CallPolicy, env: BaseEnv, identity: Identity): { grpcServer: grpc.Server; health: GrpcHealth } {
  // grpc-js enforces a hard cap above our limit so that oversized-but-sane messages reach the
  // handler and get InvalidArgument naming the limit, as on the Connect path.
  const grpcServer = new grpc.Server({
    'grpc.max_receive_message_length': env.MAX_MESSAGE_BYTES * 2,
    'grpc.max_send_message_length': -1,
    'grpc.keepalive_permit_without_calls': 1,
    'grpc.max_connection_idle_ms': env.GRPC_IDLE_TIMEOUT_MS,
    // A Service balances connections, not calls: a bounded connection age moves every client's
    // long-lived channel to another pod now and then (see GRPC_MAX_CONNECTION_AGE_MS).
    ...(env.GRPC_MAX_CONNECTION_AGE_MS > 0 && {
      'grpc.max_connection_age_ms': env.GRPC_MAX_CONNECTION_AGE_MS,
      'grpc.max_connection_age_grace_ms': env.GRPC_MAX_CONNECTION_AGE_GRACE_MS,
    }),
  });
  for (const registration of registrations) addGrpcService(grpcServer, registration, policy);
  const services = registrations.map((s) => s.service);
  const health = new GrpcHealth(grpcServer, services);
  if (identity.reflection !== 'off') addReflection(grpcServer, services, identity.reflection);
  return { grpcServer, health };
}

/** HTTP/1.1: the ops endpoints, the app's plain routes, and Connect (JSON, binary, GET) for BFFs and curl. */
function http1Side(parts: AppParts, policy: CallPolicy, env: BaseEnv, serving: () => boolean, metrics: ServiceMetrics, logger: Logger): Http1Server {
  const connectHandler = createConnectHttpHandler({
    services: parts.services,
    interceptors: [createServerTracingInterceptor({ legacyAttributes: true })],
    policy,
    rejectUnknownFields: env.REJECT_UNKNOWN_FIELDS,
    logger,
  });
  const ops = { serving, readiness: parts.readiness ?? {}, registry: metrics.registry };
  const routes = new Map((parts.httpRoutes ?? []).map((r) => [`${r.method.toUpperCase()} ${r.path}`, r]));
  return new Http1Server({ keepAliveTimeoutMs: env.HTTP_KEEPALIVE_TIMEOUT_MS, headersTimeoutMs: env.FIRST_BYTE_TIMEOUT_MS }, (req, res) => {
    // Every answer, probes and errors included, says which version gave it (canary checks).
    res.setHeader(VERSION_HEADER, policy.version);
    // Draining: each connection closes after its response, so clients reconnect elsewhere.
    if (!serving()) res.setHeader('connection', 'close');
    if (handleOpsRequest(req, res, ops)) return;
    const length = Number(req.headers['content-length'] ?? 0);
    if (length > policy.maxMessageBytes) {
      closeAfterResponse(res);
      return sendError(res, 400, policy.tooLarge(`${length} bytes`));
    }
    const route = routes.get(`${req.method} ${req.url?.split('?')[0]}`);
    if (route) return route.handler(req, res);
    connectHandler(req, res);
  });
}
