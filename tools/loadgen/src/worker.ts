// A worker thread of --workers: runs one shard when told to start, reports each second's figures
// when progress is on, and its result at the end (workers.ts has the protocol).
import { parentPort, workerData } from 'node:worker_threads';
import { encodeHistogram } from './histograms.js';
import { UsageError } from './method-resolver.js';
import { prepareShard } from './shard.js';
import { encodeShardResult } from './shard-result.js';
import type { FromWorker, ToWorker, WorkerData } from './workers.js';

const port = parentPort!;
const { plan, progress } = workerData as WorkerData;
const post = (message: FromWorker): void => port.postMessage(message);

try {
  const shard = prepareShard(plan);
  port.on('message', (message: ToWorker) => {
    if (message.type === 'stop') {
      shard.stop();
      return;
    }
    const startMs = message.startEpochMs - performance.timeOrigin;
    shard
      .run(
        startMs,
        progress
          ? (interval) =>
              post({
                type: 'interval',
                nowEpochMs: performance.timeOrigin + interval.nowMs,
                ok: interval.ok,
                errors: interval.errors,
                inflight: interval.inflight,
                p50Ms: interval.p50Ms,
                p99Ms: interval.p99Ms,
                okLatency: encodeHistogram(interval.okLatency),
              })
          : undefined,
      )
      .then(
        (result) => post({ type: 'done', result: encodeShardResult(result) }),
        (error: unknown) => post({ type: 'error', message: String(error), usage: false }),
      );
  });
  post({ type: 'ready' });
} catch (error) {
  post({ type: 'error', message: error instanceof Error ? error.message : String(error), usage: error instanceof UsageError });
}
