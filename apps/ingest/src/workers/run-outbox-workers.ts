import { EventEmitter } from 'node:events';
import { createPgPool, type RedisClient } from '@feedmesh/storage';
import type { Logger as PinoLogger } from '@feedmesh/telemetry';
import { Logger, run, runMigrations, type TaskList, type WorkerEvents } from 'graphile-worker';
import { OUTBOX_TASKS } from '../outbox/outbox-tasks.js';
import { followChangedTask } from './follow-changed-task.js';
import { itemDeletedTask, itemEditedTask } from './item-changed-tasks.js';
import { itemPublishedTask } from './item-published-task.js';
import { pullAuthorBatchTask, pullAuthorChangedTask } from './pull-author-tasks.js';
import type { TaskContext } from './task-context.js';
import { fanoutBatchTask, unfanoutBatchTask } from './timeline-batch-tasks.js';
import { WorkerLeases } from './worker-leases.js';

export interface OutboxWorkerOptions {
  databaseUrl: string;
  redis: RedisClient;
  logger: PinoLogger;
  concurrency: number;
  instance: string;
  leaseMs: number;
  pollIntervalMs: number;
  fanoutBatchSize: number;
  fanoutBatchPauseMs: number;
  pullThreshold: number;
  backfillLimit: number;
}

export interface OutboxWorkers {
  stop(): Promise<void>;
}

export function outboxTaskList(context: TaskContext): TaskList {
  return {
    [OUTBOX_TASKS.itemPublished]: itemPublishedTask(context),
    [OUTBOX_TASKS.fanoutBatch]: fanoutBatchTask(context),
    [OUTBOX_TASKS.itemEdited]: itemEditedTask(context),
    [OUTBOX_TASKS.itemDeleted]: itemDeletedTask(context),
    [OUTBOX_TASKS.unfanoutBatch]: unfanoutBatchTask(context),
    [OUTBOX_TASKS.followChanged]: followChangedTask(context),
    [OUTBOX_TASKS.pullAuthorChanged]: pullAuthorChangedTask(context),
    [OUTBOX_TASKS.pullAuthorBatch]: pullAuthorBatchTask(context),
  };
}

/** graphile-worker's log lines through the service's structured logger. */
function graphileLogger(logger: PinoLogger): Logger {
  return new Logger((scope) => (level, message, meta) => {
    const method = level === 'warning' ? 'warn' : level;
    logger[method]({ ...scope, ...meta, component: 'graphile-worker' }, message);
  });
}

/** Installs (or upgrades) graphile-worker's schema; the outbox's add_job needs it. */
export async function migrateOutbox(databaseUrl: string): Promise<void> {
  const pool = createPgPool({ connectionString: databaseUrl, max: 2, applicationName: 'feedmesh-ingest-migrate', statementTimeoutMs: 60_000 });
  try {
    await runMigrations({ pgPool: pool });
  } finally {
    await pool.end();
  }
}

/**
 * Drains the outbox: graphile-worker picks jobs up as soon as they commit (LISTEN/NOTIFY, with
 * polling as a fallback), runs `concurrency` at once and retries failures with exponential
 * backoff (so timelines catch up once Redis is back).
 */
export async function startOutboxWorkers(options: OutboxWorkerOptions): Promise<OutboxWorkers> {
  // Its own pool: the queue's LISTEN connection and job locking never wait behind request traffic.
  const pool = createPgPool({
    connectionString: options.databaseUrl,
    max: options.concurrency + 4,
    applicationName: 'feedmesh-ingest-worker',
    statementTimeoutMs: 30_000,
  });
  const leases = new WorkerLeases(pool, options.instance, options.leaseMs, (error) =>
    options.logger.warn({ err: error }, 'worker lease renewal failed'),
  );
  const events: WorkerEvents = new EventEmitter();
  events.on('worker:create', ({ worker }) => leases.add(worker.workerId));
  const context: TaskContext = {
    pool,
    redis: options.redis,
    fanoutBatchSize: options.fanoutBatchSize,
    fanoutBatchPauseMs: options.fanoutBatchPauseMs,
    pullThreshold: options.pullThreshold,
    backfillLimit: options.backfillLimit,
  };
  const runner = await run({
    pgPool: pool,
    concurrency: options.concurrency,
    noHandleSignals: true,
    pollInterval: options.pollIntervalMs,
    taskList: outboxTaskList(context),
    logger: graphileLogger(options.logger),
    events,
  });
  leases.start();
  options.logger.info({ concurrency: options.concurrency, instance: options.instance }, 'outbox workers started');
  return {
    async stop() {
      await runner.stop();
      await leases.stop();
      await pool.end();
    },
  };
}
