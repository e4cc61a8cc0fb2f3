import { now, sleep } from './clock.js';
import { recordCall, type Call, type CallRecord } from './call-record.js';

/** Load that runs until stopped; `records` grows as calls finish. */
export interface RunningLoad {
  readonly records: CallRecord[];
  /** Calls sent and not finished yet, by start time. */
  inFlight(): number;
  /** Stops sending, waits for the calls in flight, returns every record. */
  stop(): Promise<CallRecord[]>;
}

/** `concurrency` callers, each sending its next call when the previous one ended (plus `pauseMs`). */
export function closedLoop(call: Call, options: { concurrency: number; pauseMs?: number }): RunningLoad {
  const records: CallRecord[] = [];
  let running = true;
  let inFlight = 0;
  const worker = async () => {
    while (running) {
      inFlight++;
      records.push(await recordCall(call));
      inFlight--;
      if (options.pauseMs) await sleep(options.pauseMs);
    }
  };
  const workers = Array.from({ length: options.concurrency }, worker);
  return {
    records,
    inFlight: () => inFlight,
    async stop() {
      running = false;
      await Promise.all(workers);
      return records;
    },
  };
}

/**
 * `rate` calls per second on a fixed schedule, whatever the answers take (so an outage does not
 * slow the probe down); at most `maxInFlight` at once: a call due while the cap is reached is
 * skipped and counted, not queued, so a stall cannot build a backlog that outlives it.
 */
export function openLoop(call: Call, options: { rate: number; maxInFlight?: number }): RunningLoad & { skipped(): number } {
  const records: CallRecord[] = [];
  const pending = new Set<Promise<void>>();
  const maxInFlight = options.maxInFlight ?? 256;
  const startedAt = now();
  let sent = 0;
  let skipped = 0;
  const tick = () => {
    const due = Math.floor(((now() - startedAt) * options.rate) / 1000);
    for (; sent < due; sent++) {
      const intendedMs = startedAt + (sent * 1000) / options.rate;
      if (pending.size >= maxInFlight) {
        skipped++;
        continue;
      }
      const done: Promise<void> = recordCall(call, intendedMs).then((record) => {
        records.push(record);
        pending.delete(done);
      });
      pending.add(done);
    }
  };
  const timer = setInterval(tick, Math.max(1, Math.min(10, 1000 / options.rate)));
  return {
    records,
    inFlight: () => pending.size,
    skipped: () => skipped,
    async stop() {
      clearInterval(timer);
      await Promise.all(pending);
      return records;
    },
  };
}
