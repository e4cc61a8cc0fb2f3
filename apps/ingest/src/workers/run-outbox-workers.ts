import { EventEmitter } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { createPgPool, createRepositories, isConnectionLoss, type RedisClient } from '@feedmesh/storage';
import type { Logger as PinoLogger } from '@feedmesh/telemetry';
import { Logger, run, runMigrations, type Runner, type TaskList, type WorkerEvents } from 'graphile-worker';
import type { Registry } from 'prom-client';
import { OUTBOX_TASKS } from '../outbox/outbox-tasks.js';
import { followChangedTask } from './follow-changed-task.js';
import { itemDeletedTask, itemEditedTask } from './item-changed-tasks.js';
import { itemPublishedTask } from './item-published-task.js';
import { pullAuthorBatchTask, pullAuthorChangedTask } from './pull-author-tasks.js';
import type { TaskContext } from './task-context.js';
import { fanoutBatchTask, unfanoutBatchTask } from './timeline-batch-tasks.js';
import { ReadModelWriteFailures } from '../read-model/write-failures.js';
import { postgresRollupLog, startEngagementRollup } from './engagement-rollup.js';
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
  /** The engagement rollup runner beside the outbox workers (ENGAGEMENT_ROLLUP_BATCH, ENGAGEMENT_ROLLUP_IDLE_MS). */
  rollup: { batchSize: number; idleMs: number };
  /** Where the rollup's metrics go (the app's registry); none in the stand-alone worker. */
  registry?: Registry;
  /** Where the rollup's lost read-model writes are counted (the app's); logged only when absent. */
  readModelFailures?: ReadModelWriteFailures;
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

// graphile-worker completes and fails jobs through batchers when these are >= 0: their errors
// reach its error handler (which stops the pool) instead of escaping as an unhandled rejection,
// as the unbatched path does when its connection is killed (that killed the process). 0 ms
// adds no wait; completions that land in the same tick share one statement.
const RUNNER_PRESET = { worker: { completeJobBatchDelay: 0, failJobBatchDelay: 0 } };
const RESTART_MIN_MS = 250;
const RESTART_MAX_MS = 5_000;
const SHUTDOWN_WAIT_MS = 2_000;
/** After a job failed on an unreachable Postgres: when its failed jobs are made due again (one reschedule per second at most). */
const RETRY_AFTER_STORE_FAILURE_MS = 1_000;

/**
 * Drains the outbox: graphile-worker picks jobs up as soon as they commit (LISTEN/NOTIFY, with
 * polling as a fallback), runs `concurrency` at once and retries failures with exponential
 * backoff (so timelines catch up once Redis is back).
 *
 * Supervised: graphile-worker stops its pool when it cannot record a job's completion or
 * failure (Postgres connections killed, Postgres restarting: "queue is in an inconsistent
 * state"). The supervisor then unlocks that pool's jobs at once (its jobs ran, or not, but
 * none is running any more; tasks are idempotent, so a job whose completion was lost simply
 * runs again) and starts a new pool, retrying with backoff while Postgres is down.
 */
export async function startOutboxWorkers(options: OutboxWorkerOptions): Promise<OutboxWorkers> {
  // Its own pool: the queue's LISTEN connection and job locking never wait behind request traffic.
  const pool = createPgPool({
    connectionString: options.databaseUrl,
    max: options.concurrency + 4,
    applicationName: 'feedmesh-ingest-worker',
    statementTimeoutMs: 30_000,
  });
  const { logger } = options;
  const storage = createRepositories(pool, options.redis);
  const leases = new WorkerLeases(storage.outbox, options.instance, options.leaseMs, (error) => logger.warn({ err: error }, 'worker lease renewal failed'));
  const context: TaskContext = {
    storage,
    redis: options.redis,
    fanoutBatchSize: options.fanoutBatchSize,
    fanoutBatchPauseMs: options.fanoutBatchPauseMs,
    pullThreshold: options.pullThreshold,
    backfillLimit: options.backfillLimit,
  };
  const taskList = outboxTaskList(context);
  let stopping = false;
  let current: Runner | undefined;
  let restartTimer: NodeJS.Timeout | undefined;
  let restartDelayMs = RESTART_MIN_MS;

  const startRunner = async (): Promise<void> => {
    // Jobs are locked by the pool's id (graphile-worker's locked_by), so that is what the leases hold.
    const poolIds = new Set<string>();
    const poolsEnded: Promise<unknown>[] = [];
    const events: WorkerEvents = new EventEmitter();
    const started: { runner?: Runner; shutDownEarly?: unknown } = {};
    const ended = (error: unknown) => (started.runner ? onRunnerEnded(started.runner, poolIds, poolsEnded, error) : (started.shutDownEarly ??= error));
    events.on('pool:create', ({ workerPool }) => {
      poolIds.add(workerPool.id);
      leases.add(workerPool.id);
      poolsEnded.push(Promise.resolve(workerPool.promise).catch(() => {}));
    });
    // The start of a shutdown is the signal, not the end: a pool that shuts itself down can hang
    // in terminate() on its completion batchers, so neither its promise nor the runner's settles
    // (seen under connection kills: "Graceful shutdown complete", then no restart for 30 s and
    // jobs left undrained).
    events.on('pool:gracefulShutdown', ({ message }) => ended(new Error(message)));
    // A job that failed because Postgres went away waits out graphile-worker's backoff (e^attempts
    // s: after a few connection kills, longer than a minute) although nothing is wrong with it:
    // once Postgres answers again, failed jobs are due at once, as after a Redis outage.
    events.on('job:error', ({ error }) => {
      if (isConnectionLoss(error)) retryFailedJobsSoon();
    });
    events.on('pool:forcefulShutdown', ({ message }) => ended(new Error(message)));
    const runner = await run({
      pgPool: pool,
      concurrency: options.concurrency,
      noHandleSignals: true,
      pollInterval: options.pollIntervalMs,
      taskList,
      logger: graphileLogger(logger),
      events,
      preset: RUNNER_PRESET,
    });
    current = started.runner = runner;
    runner.promise.then(() => ended(undefined), ended);
    if (started.shutDownEarly !== undefined) ended(started.shutDownEarly);
  };

  const onRunnerEnded = (runner: Runner, poolIds: Set<string>, poolsEnded: Promise<unknown>[], error: unknown): void => {
    if (stopping || current !== runner) return;
    current = undefined;
    runner.stop().catch(() => {}); // releases the rest of the runner (its cron part), if it is not stopping already
    logger.error({ err: error }, 'outbox worker pool stopped; unlocking its jobs and restarting');
    leases.remove(poolIds);
    // Its workers finish their current jobs first, as a graceful shutdown lets them, unless that hangs.
    const settled = Promise.race([Promise.all(poolsEnded), sleep(SHUTDOWN_WAIT_MS)]);
    settled.then(() => scheduleRestart([...poolIds]));
  };

  const scheduleRestart = (deadPoolIds: string[]): void => {
    if (stopping) return;
    restartTimer = setTimeout(() => {
      restartTimer = undefined;
      storage.outbox
        .unlockWorkers(deadPoolIds)
        .then(startRunner)
        .then(
          () => {
            restartDelayMs = RESTART_MIN_MS;
            logger.info('outbox worker pool restarted');
            retryFailedJobs();
          },
          (error: unknown) => {
            restartDelayMs = Math.min(restartDelayMs * 2, RESTART_MAX_MS);
            logger.warn({ err: error, retryInMs: restartDelayMs }, 'outbox worker pool restart failed');
            scheduleRestart(deadPoolIds);
          },
        );
    }, restartDelayMs);
  };

  // Jobs failed by a Redis outage wait out graphile-worker's backoff (e^attempts s: 20 s after
  // the third failure, 6 min after the sixth); when Redis is back they are due again at once.
  let retrying = false;
  const retryFailedJobs = () => {
    if (stopping || retrying) return;
    retrying = true;
    storage.outbox
      .rescheduleFailedJobs()
      .then(
        (count) => count > 0 && logger.info({ jobs: count }, 'Redis is back: failed outbox jobs retried now'),
        (error: unknown) => logger.warn({ err: error }, 'could not reschedule failed outbox jobs'),
      )
      .finally(() => (retrying = false));
  };
  options.redis.on('ready', retryFailedJobs);
  let retrySoonTimer: NodeJS.Timeout | undefined;
  const retryFailedJobsSoon = () => {
    retrySoonTimer ??= setTimeout(() => {
      retrySoonTimer = undefined;
      retryFailedJobs();
    }, RETRY_AFTER_STORE_FAILURE_MS);
  };

  await startRunner();
  leases.start();
  // Always on: with ENGAGEMENT_ROLLUP=sync the queue stays empty and each look at it is one
  // cheap statement; after a switch back from async, what was queued still gets rolled up.
  const rollup = startEngagementRollup({
    log: postgresRollupLog(storage.engagement),
    storage,
    redis: options.redis,
    logger,
    batchSize: options.rollup.batchSize,
    idleMs: options.rollup.idleMs,
    registry: options.registry,
    readModelFailures: options.readModelFailures ?? new ReadModelWriteFailures(logger),
  });
  logger.info({ concurrency: options.concurrency, instance: options.instance }, 'outbox workers started');
  return {
    async stop() {
      stopping = true;
      options.redis.off('ready', retryFailedJobs);
      clearTimeout(restartTimer);
      await rollup.stop();
      clearTimeout(retrySoonTimer);
      await current?.stop();
      await leases.stop();
      await pool.end();
    },
  };
}
