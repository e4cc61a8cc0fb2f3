import type { IncomingMessage, ServerResponse } from 'node:http';
import type { DescService } from '@bufbuild/protobuf';
import { createServerTracingInterceptor } from '@feedmesh/otel-connect';
import { createLogger, type Logger } from '@feedmesh/telemetry';
import * as grpc from '@grpc/grpc-js';
import { HealthImplementation } from 'grpc-health-check';
import { Admission } from './admission.js';
import { ConfigError, loadConfig, type AppEnv, type BaseEnv, type EnvSpec } from './config.js';
import { createConnectHttpHandler, sendError } from './connect-http.js';
import { createKitInterceptor } from './connect-interceptor.js';
import { ConnectionListener } from './connection-listener.js';
import { addGrpcService } from './grpc-service.js';
import { handleOpsRequest, type ReadinessChecks } from './http-endpoints.js';
import { Http1Server } from './http1-server.js';
import { ServiceMetrics, setProcessMetrics, type PoolStats } from './metrics.js';
import { addReflection } from './reflection.js';
import { closeAfterResponse, messageTooLarge } from './request-limits.js';
import type { ServiceRegistration } from './service-registration.js';

export interface SetupContext<Env> {
  env: Env;
  logger: Logger;
  metrics: ServiceMetrics;
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
  const metrics = new ServiceMetrics(definition.name);
  setProcessMetrics(metrics);
  const parts = await definition.setup({ env: appEnv, logger, metrics });
  if (parts.pools) metrics.registerPools(parts.pools);

  const services: DescService[] = parts.services.map((s) => s.service);
  // One bound on in-flight calls for both protocols; health, readiness, metrics and reflection
  // are served outside it, so an overloaded app still answers its probes.
  const admission = new Admission({
    maxConcurrent: env.MAX_CONCURRENT_CALLS,
    adaptive: env.ADAPTIVE_CONCURRENCY,
    minConcurrent: env.MIN_CONCURRENT_CALLS,
    maxQueued: env.MAX_QUEUED_CALLS,
    maxQueueWaitMs: env.MAX_QUEUE_WAIT_MS,
  });
  metrics.registerAdmission(admission);
  const kitOptions = {
    logger,
    metrics,
    maxMessageBytes: env.MAX_MESSAGE_BYTES,
    rejectUnknownFields: env.REJECT_UNKNOWN_FIELDS,
    maxDeadlineMs: env.MAX_DEADLINE_MS,
    admission,
  };

  // gRPC: grpc-js enforces a hard cap above our limit so that oversized-but-sane messages reach
  // the handler and get InvalidArgument naming the limit, as on the Connect path.
  const grpcServer = new grpc.Server({
    'grpc.max_receive_message_length': env.MAX_MESSAGE_BYTES * 2,
    'grpc.max_send_message_length': -1,
    'grpc.keepalive_permit_without_calls': 1,
    'grpc.max_connection_idle_ms': env.GRPC_IDLE_TIMEOUT_MS,
  });
  for (const registration of parts.services) addGrpcService(grpcServer, registration, kitOptions);
  const health = new HealthImplementation({ '': 'SERVING', ...Object.fromEntries(services.map((s) => [s.typeName, 'SERVING'])) });
  // Health Watch streams never end on their own: they are tracked and ended at shutdown (after
  // they saw NOT_SERVING), or they would hold the server open until the grace period runs out.
  const watchStreams = new Set<grpc.ServerWritableStream<unknown, unknown>>();
  health.addToServer({
    addService: (definition, impl) =>
      grpcServer.addService(definition as grpc.ServiceDefinition, {
        ...(impl as grpc.UntypedServiceImplementation),
        watch: (call: grpc.ServerWritableStream<unknown, unknown>) => {
          watchStreams.add(call);
          call.once('cancelled', () => watchStreams.delete(call));
          (impl.watch as grpc.handleServerStreamingCall<unknown, unknown>)(call);
        },
      }),
  });
  addReflection(grpcServer, services);
  const injector = grpcServer.createConnectionInjector(grpc.ServerCredentials.createInsecure());

  // HTTP/1.1: Connect (JSON, binary, GET) for BFFs and curl, and the ops endpoints.
  const connectHandler = createConnectHttpHandler({
    services: parts.services,
    interceptors: [createServerTracingInterceptor({ legacyAttributes: true }), createKitInterceptor(kitOptions)],
    maxMessageBytes: env.MAX_MESSAGE_BYTES,
    rejectUnknownFields: env.REJECT_UNKNOWN_FIELDS,
    maxDeadlineMs: env.MAX_DEADLINE_MS,
    admission,
    metrics,
    logger,
  });
  let serving = true;
  const ops = { serving: () => serving, readiness: parts.readiness ?? {}, registry: metrics.registry };
  const routes = new Map((parts.httpRoutes ?? []).map((r) => [`${r.method.toUpperCase()} ${r.path}`, r]));
  const http1 = new Http1Server({ keepAliveTimeoutMs: env.HTTP_KEEPALIVE_TIMEOUT_MS, headersTimeoutMs: env.FIRST_BYTE_TIMEOUT_MS }, (req, res) => {
    // Draining: each connection closes after its response, so clients reconnect elsewhere.
    if (!serving) res.setHeader('connection', 'close');
    if (handleOpsRequest(req, res, ops)) return;
    const length = Number(req.headers['content-length'] ?? 0);
    if (length > env.MAX_MESSAGE_BYTES) {
      closeAfterResponse(res);
      return sendError(res, 400, messageTooLarge(`${length} bytes`, env.MAX_MESSAGE_BYTES));
    }
    const route = routes.get(`${req.method} ${req.url?.split('?')[0]}`);
    if (route) {
      route.handler(req, res);
      return;
    }
    connectHandler(req, res);
  });

  const listener = new ConnectionListener(
    { http2: (socket) => injector.injectConnection(socket), http1: (socket) => http1.server.emit('connection', socket) },
    env.FIRST_BYTE_TIMEOUT_MS,
  );
  const port = await listener.listen(env.PORT, env.HOST);
  logger.info({ port, services: services.map((s) => s.typeName) }, `${definition.name} listening`);
  // Lets a parent that forked the app (tests, the dev launcher) learn an ephemeral port.
  process.send?.({ type: 'listening', app: definition.name, port });

  let stopping: Promise<void> | undefined;
  const shutdown = (reason = 'shutdown') =>
    (stopping ??= (async () => {
      logger.info({ reason, delayMs: env.SHUTDOWN_DELAY_MS, graceMs: env.SHUTDOWN_GRACE_MS }, 'shutting down');
      serving = false;
      health.setStatus('', 'NOT_SERVING');
      for (const s of services) health.setStatus(s.typeName, 'NOT_SERVING');
      // Keep serving while load balancers see NOT_SERVING and take this instance out of rotation.
      await new Promise((r) => setTimeout(r, env.SHUTDOWN_DELAY_MS));
      listener.close();
      for (const call of watchStreams) call.end();
      const grpcDone = new Promise<void>((resolve) => grpcServer.tryShutdown(() => resolve()));
      const graceOver = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), env.SHUTDOWN_GRACE_MS).unref());
      if ((await Promise.race([Promise.all([grpcDone, http1.drain()]), graceOver])) === 'timeout') {
        logger.warn('grace period over; cancelling the calls still running');
        grpcServer.forceShutdown();
        http1.destroyAll();
      }
      listener.destroyAll();
      await parts.close?.();
      logger.info('stopped');
    })());

  if (options.handleSignals ?? true) {
    // Forked by a supervisor (npm start, tests): leave with it instead of lingering as an orphan.
    if (process.send) process.once('disconnect', () => void shutdown('parent exited').then(() => process.exit(0)));
    for (const signal of ['SIGTERM', 'SIGINT'] as const) {
      process.once(signal, () => {
        void shutdown(signal).then(
          () => process.exit(0),
          (error) => {
            logger.error({ err: error }, 'shutdown failed');
            process.exit(1);
          },
        );
      });
    }
  }

  return { port, address: `127.0.0.1:${port}`, logger, shutdown };
}
