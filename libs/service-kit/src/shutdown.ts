import type { Logger } from '@feedmesh/telemetry';
import type * as grpc from '@grpc/grpc-js';
import type { GrpcHealth } from './health.js';
import type { Http1Server } from './http1-server.js';
import type { ConnectionListener } from './listener.js';

export interface ShutdownParts {
  logger: Logger;
  delayMs: number;
  graceMs: number;
  /** Readiness answers not-ready from here on. */
  stopServing(): void;
  health: GrpcHealth;
  listener: ConnectionListener;
  grpcServer: grpc.Server;
  http1: Http1Server;
  close?: () => Promise<void>;
}

/**
 * Graceful stop, once however often asked: readiness and health say NOT_SERVING at once, the port
 * keeps serving for `delayMs` (load balancers take the instance out of rotation), then stops
 * accepting and lets in-flight calls on both protocols finish within `graceMs` before closing.
 */
export function gracefulShutdown(parts: ShutdownParts): (reason?: string) => Promise<void> {
  let stopping: Promise<void> | undefined;
  return (reason = 'shutdown') => (stopping ??= stop(parts, reason));
}

async function stop(parts: ShutdownParts, reason: string): Promise<void> {
  const { logger, listener, grpcServer, http1 } = parts;
  logger.info({ reason, delayMs: parts.delayMs, graceMs: parts.graceMs }, 'shutting down');
  parts.stopServing();
  parts.health.notServing();
  await new Promise((r) => setTimeout(r, parts.delayMs));
  listener.close();
  parts.health.endWatches();
  const grpcDone = new Promise<void>((resolve) => grpcServer.tryShutdown(() => resolve()));
  const graceOver = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), parts.graceMs).unref());
  if ((await Promise.race([Promise.all([grpcDone, http1.drain()]), graceOver])) === 'timeout') {
    logger.warn('grace period over; cancelling the calls still running');
    grpcServer.forceShutdown();
    http1.destroyAll();
  }
  listener.destroyAll();
  await parts.close?.();
  logger.info('stopped');
}

/** Owns the process: SIGTERM/SIGINT shut down and exit; forked by a supervisor, the app leaves with it. */
export function exitOnSignals(shutdown: (reason: string) => Promise<void>, logger: Logger): void {
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
