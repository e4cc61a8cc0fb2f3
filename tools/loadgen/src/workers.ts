// --workers N: the run's shards in N worker threads, each with its own event loop, transport and
// connections, started on one common schedule; their results are merged exactly (shard-result.ts).
// CPU is measured by the caller with process.cpuUsage(), which counts every thread of the process.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { decodeHistogram, type EncodedHistogram } from './histograms.js';
import { UsageError } from './method-resolver.js';
import type { ShardInterval, ShardPlan } from './shard.js';
import { decodeShardResult, mergeShardResults, type EncodedShardResult, type ShardResult } from './shard-result.js';

/** Lead time between the last worker being ready and the common start. */
const START_LEAD_MS = 100;

export interface WorkerData {
  readonly plan: ShardPlan;
  readonly progress: boolean;
}

export type ToWorker = { readonly type: 'start'; readonly startEpochMs: number } | { readonly type: 'stop' };

export type FromWorker =
  | { readonly type: 'ready' }
  | {
      readonly type: 'interval';
      readonly nowEpochMs: number;
      readonly ok: number;
      readonly errors: number;
      readonly inflight: number;
      readonly p50Ms: number;
      readonly p99Ms: number;
      readonly okLatency: EncodedHistogram;
    }
  | { readonly type: 'done'; readonly result: EncodedShardResult }
  | { readonly type: 'error'; readonly message: string; readonly usage: boolean };

export interface WorkerHooks {
  /** The common start, on this thread's monotonic clock (performance.now()). */
  onStart(startMs: number): void;
  onInterval?: (worker: number, interval: ShardInterval) => void;
}

export interface WorkerRun {
  readonly result: Promise<ShardResult>;
  stop(): void;
}

export function runWorkers(plans: readonly ShardPlan[], hooks: WorkerHooks): WorkerRun {
  const file = workerFile();
  const workers = plans.map((plan) => new Worker(file, { workerData: { plan, progress: hooks.onInterval !== undefined } satisfies WorkerData }));
  const post = (worker: Worker, message: ToWorker): void => worker.postMessage(message);
  let stopped = false;
  const result = new Promise<ShardResult>((resolve, reject) => {
    const results: (ShardResult | undefined)[] = new Array<ShardResult | undefined>(workers.length).fill(undefined);
    let ready = 0;
    let done = 0;
    let failed = false;
    const fail = (error: Error): void => {
      if (failed) return;
      failed = true;
      for (const worker of workers) void worker.terminate();
      reject(error);
    };
    workers.forEach((worker, index) => {
      worker.on('message', (message: FromWorker) => {
        switch (message.type) {
          case 'ready':
            if (++ready === workers.length) {
              const startEpochMs = performance.timeOrigin + performance.now() + START_LEAD_MS;
              hooks.onStart(startEpochMs - performance.timeOrigin);
              for (const w of workers) post(w, { type: 'start', startEpochMs });
              if (stopped) for (const w of workers) post(w, { type: 'stop' });
            }
            break;
          case 'interval':
            hooks.onInterval?.(index, {
              nowMs: message.nowEpochMs - performance.timeOrigin,
              ok: message.ok,
              errors: message.errors,
              inflight: message.inflight,
              p50Ms: message.p50Ms,
              p99Ms: message.p99Ms,
              okLatency: decodeHistogram(message.okLatency),
            });
            break;
          case 'done':
            results[index] = decodeShardResult(message.result);
            void worker.terminate(); // its transport is closed; the port would keep it alive
            if (++done === workers.length) resolve(mergeShardResults(results as ShardResult[]));
            break;
          case 'error':
            fail(message.usage ? new UsageError(message.message) : new Error(`worker ${index}: ${message.message}`));
            break;
        }
      });
      worker.on('error', (error) => fail(error));
      worker.on('exit', (code) => {
        // Give a last message still in the port a moment to arrive.
        setTimeout(() => {
          if (results[index] === undefined) fail(new Error(`worker ${index} exited (code ${code}) before reporting`));
        }, 200);
      });
    });
  });
  return {
    result,
    stop: () => {
      stopped = true;
      for (const worker of workers) post(worker, { type: 'stop' });
    },
  };
}

/** dist/worker.js beside this module, or, when this runs from the sources (tests), the built one. */
function workerFile(): string {
  const beside = join(__dirname, 'worker.js');
  if (existsSync(beside)) return beside;
  const built = join(__dirname, '..', 'dist', 'worker.js');
  if (existsSync(built)) return built;
  throw new Error(`--workers needs the built worker script (${built}): run npx nx build @feedmesh/loadgen`);
}
