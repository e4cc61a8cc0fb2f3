import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createNetServer, type AddressInfo, type Socket } from 'node:net';
import type { DescService } from '@bufbuild/protobuf';
import { connectNodeAdapter } from '@connectrpc/connect-node';
import { createServerTracingInterceptor } from '@feedmesh/otel-connect';
import { createLogger, type Logger } from '@feedmesh/telemetry';
import * as grpc from '@grpc/grpc-js';
import { HealthImplementation } from 'grpc-health-check';
import { ConfigError, loadConfig, type AppEnv, type BaseEnv, type EnvSpec } from './config.js';
import { createKitInterceptor } from './connect-interceptor.js';
import { addGrpcService } from './grpc-service.js';
import { handleOpsRequest, type ReadinessChecks } from './http-endpoints.js';
import { ServiceMetrics, setProcessMetrics, type PoolStats } from './metrics.js';
import { addReflection } from './reflection.js';
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
  /** Graceful stop: NOT_SERVING, stop accepting, finish in-flight calls within the grace period, close. */
  shutdown(reason?: string): Promise<void>;
}

/** The first bytes of every HTTP/2 connection (RFC 9113 §3.4). */
const h2Preface = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n');

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
  const appEnv = loadConfig((definition.env ?? {}) as S, definition.defaultPort, options.env ?? process.env);
  const env: BaseEnv = appEnv;
  const logger = createLogger(definition.name, { level: env.LOG_LEVEL });
  const metrics = new ServiceMetrics(definition.name);
  setProcessMetrics(metrics);
  const parts = await definition.setup({ env: appEnv, logger, metrics });
  if (parts.pools) metrics.registerPools(parts.pools);

  const services: DescService[] = parts.services.map((s) => s.service);
  const kitOptions = {
    logger,
    metrics,
    maxMessageBytes: env.MAX_MESSAGE_BYTES,
    rejectUnknownFields: env.REJECT_UNKNOWN_FIELDS,
    maxDeadlineMs: env.MAX_DEADLINE_MS,
  };

  // gRPC: grpc-js enforces a hard cap above our limit so that oversized-but-sane messages reach
  // the handler and get InvalidArgument naming the limit, as on the Connect path.
  const grpcServer = new grpc.Server({
    'grpc.max_receive_message_length': env.MAX_MESSAGE_BYTES * 2,
    'grpc.max_send_message_length': -1,
    'grpc.keepalive_permit_without_calls': 1,
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

  // HTTP/1.1: Connect (JSON or binary) for BFFs and curl, and the ops endpoints.
  const connectHandler = connectNodeAdapter({
    routes: (router) => {
      for (const { service, impl } of parts.services) router.service(service, impl as never);
    },
    interceptors: [createServerTracingInterceptor({ legacyAttributes: true }), createKitInterceptor(kitOptions)],
    readMaxBytes: env.MAX_MESSAGE_BYTES,
    jsonOptions: { ignoreUnknownFields: !env.REJECT_UNKNOWN_FIELDS },
  });
  let serving = true;
  const ops = { serving: () => serving, readiness: parts.readiness ?? {}, registry: metrics.registry };
  const routes = new Map((parts.httpRoutes ?? []).map((r) => [`${r.method.toUpperCase()} ${r.path}`, r]));
  const http1 = createHttpServer({ keepAliveTimeout: 65_000 }, (req: IncomingMessage, res: ServerResponse) => {
    if (!serving) res.setHeader('connection', 'close');
    if (handleOpsRequest(req, res, ops)) return;
    const length = Number(req.headers['content-length'] ?? 0);
    if (length > env.MAX_MESSAGE_BYTES) {
      res.writeHead(400, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ code: 'invalid_argument', message: `request message is ${length} bytes; the limit is ${env.MAX_MESSAGE_BYTES}` }));
      req.resume();
      return;
    }
    const route = routes.get(`${req.method} ${req.url?.split('?')[0]}`);
    if (route) {
      route.handler(req, res);
      return;
    }
    // Cap the Connect timeout at MAX_DEADLINE_MS (absent = the cap) before connect-node reads it,
    // so the handler's signal and timeoutMs() honour the cap as they do on the gRPC path.
    const timeout = Number(req.headers['connect-timeout-ms'] ?? Infinity);
    if (!(timeout <= env.MAX_DEADLINE_MS)) req.headers['connect-timeout-ms'] = String(env.MAX_DEADLINE_MS);
    connectHandler(req, res);
  });

  const sockets = new Set<Socket>();
  // noDelay: without it Nagle's algorithm holds small gRPC frames back and halves throughput.
  const listener = createNetServer({ noDelay: true, keepAlive: true }, (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    socket.once('data', (first: Buffer) => {
      socket.pause();
      socket.unshift(first);
      const n = Math.min(first.length, h2Preface.length);
      if (first.subarray(0, n).equals(h2Preface.subarray(0, n))) {
        injector.injectConnection(socket);
      } else {
        http1.emit('connection', socket);
        // The HTTP/1.1 parser attaches a 'data' listener, which does not undo an explicit pause().
        socket.resume();
      }
    });
  });
  await new Promise<void>((resolve, reject) => {
    listener.once('error', reject);
    listener.listen(env.PORT, env.HOST, () => resolve());
  });
  const port = (listener.address() as AddressInfo).port;
  logger.info({ port, services: services.map((s) => s.typeName) }, `${definition.name} listening`);
  // Lets a parent that forked the app (tests, the dev launcher) learn an ephemeral port.
  process.send?.({ type: 'listening', app: definition.name, port });

  let stopping: Promise<void> | undefined;
  const shutdown = (reason = 'shutdown') =>
    (stopping ??= (async () => {
      logger.info({ reason, graceMs: env.SHUTDOWN_GRACE_MS }, 'shutting down');
      serving = false;
      health.setStatus('', 'NOT_SERVING');
      for (const s of services) health.setStatus(s.typeName, 'NOT_SERVING');
      // Let probes and Watch streams observe NOT_SERVING before connections are closed.
      await new Promise((r) => setTimeout(r, Number(process.env.SHUTDOWN_DELAY_MS ?? 0)));
      listener.close();
      for (const call of watchStreams) call.end();
      http1.closeIdleConnections();
      const grpcDone = new Promise<void>((resolve) => grpcServer.tryShutdown(() => resolve()));
      const httpDone = new Promise<void>((resolve) => http1.close(() => resolve()));
      const graceOver = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), env.SHUTDOWN_GRACE_MS).unref());
      if ((await Promise.race([Promise.all([grpcDone, httpDone]), graceOver])) === 'timeout') {
        logger.warn('grace period over; cancelling the calls still running');
        grpcServer.forceShutdown();
        http1.closeAllConnections();
      }
      for (const socket of sockets) socket.destroy();
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
