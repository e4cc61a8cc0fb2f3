// kill -9 of each leaf under load, then a restart on the same port: what GetFeed answers during
// the outage, and how soon after the leaf is ready again pages are whole (the promise: 2 s).
import { FeedService } from '@feedmesh/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  clientOf,
  closedLoop,
  describeCalls,
  endedBefore,
  firstPageCall,
  inFlightAt,
  isHealthy,
  LEAVES,
  outcomeCounts,
  recoveryAfter,
  settle,
  sleep,
  startedBetween,
  startFaultEnvironment,
  type CallRecord,
  type FaultClient,
  type FaultEnvironment,
} from '../src/index.js';

/** Down this long before the restart begins (plus the restart's own start-up): long enough for reconnect backoff to grow past a second. */
const OUTAGE_MS = 4_000;
const AFTER_READY_MS = 4_000;
const RECOVERY_LIMIT_MS = 2_000;
/**
 * Light load that cannot overload the mesh by itself, however slow the box: a closed loop of 3
 * callers (each pausing 50 ms between calls, so fast failures do not spin).
 */
const CALLERS = 3;
const PAUSE_MS = 50;
/** A BFF's deadline; the aggregator splits it into stage budgets. */
const DEADLINE_MS = 2_000;

/** What a page may answer while a leaf is down: a page (degraded allowed); with render down there are no cards, so Unavailable too (aggregator README). */
const allowedDuringOutage: Record<(typeof LEAVES)[number], string[]> = {
  recall: ['OK'],
  ranking: ['OK'],
  render: ['OK', 'Unavailable'],
};

let env: FaultEnvironment;
let feed: FaultClient<typeof FeedService>;

beforeAll(async () => {
  env = await startFaultEnvironment(['recall', 'ranking', 'render', 'aggregator']);
  feed = clientOf(FeedService, env.mesh.address('aggregator'), 'grpc');
  // Warm-up (JIT, connections, caches), so the baseline is the mesh's steady state.
  const warm = closedLoop(firstPageCall(feed, env.users, DEADLINE_MS), { concurrency: 2 });
  await sleep(2_000);
  await warm.stop();
});

afterAll(async () => {
  feed?.close();
  await env?.close();
});

describe.each(LEAVES)('kill -9 of %s under load, restarted on its port', (leaf) => {
  let records: CallRecord[];
  let killedAt: number;
  let readyAt: number;

  beforeAll(async () => {
    await settle(firstPageCall(feed, env.users, DEADLINE_MS));
    const load = closedLoop(firstPageCall(feed, env.users, DEADLINE_MS), { concurrency: CALLERS, pauseMs: PAUSE_MS });
    await sleep(2_000);
    killedAt = await env.mesh.kill(leaf);
    await sleep(OUTAGE_MS);
    readyAt = await env.mesh.start(leaf);
    await sleep(AFTER_READY_MS);
    records = await load.stop();
    const recovery = recoveryAfter(records, readyAt);
    console.log(
      `[faults] ${leaf}: before ${JSON.stringify(outcomeCounts(endedBefore(records, killedAt)))}; ` +
        `outage ${Math.round(readyAt - killedAt)} ms ${JSON.stringify(outcomeCounts([...inFlightAt(records, killedAt), ...startedBetween(records, killedAt, readyAt)]))}; ` +
        `after ready ${JSON.stringify(outcomeCounts(startedBetween(records, readyAt, Infinity)))}; ` +
        `recovery ${recovery.recoveryMs === Infinity ? 'none' : `${Math.round(recovery.recoveryMs)} ms`} after readiness`,
    );
  });

  it('serves whole pages before the kill (the scenario is valid)', () => {
    // Calls the kill caught in flight are the outage's, not the baseline's.
    const before = endedBefore(records, killedAt);
    expect(before.length).toBeGreaterThanOrEqual(CALLERS);
    expect(before.filter(isHealthy).length / before.length, describeCalls(before)).toBeGreaterThanOrEqual(0.8);
  });

  it(`answers ${allowedDuringOutage[leaf].join(' or ')} during the outage, never Internal`, () => {
    const during = [...inFlightAt(records, killedAt), ...startedBetween(records, killedAt, readyAt)];
    expect(during.length).toBeGreaterThan(0);
    const wrong = during.filter((r) => !allowedDuringOutage[leaf].includes(r.code));
    expect(wrong.length, describeCalls(wrong)).toBe(0);
  });

  it(`is fully healthy within ${RECOVERY_LIMIT_MS} ms of ${leaf}'s readiness`, () => {
    const recovery = recoveryAfter(records, readyAt);
    const after = startedBetween(records, readyAt, Infinity);
    const detail = `recovered after ${recovery.recoveryMs} ms; calls after readiness ${describeCalls(after)}; last unhealthy ${JSON.stringify(recovery.lastUnhealthy)}`;
    expect(recovery.recoveryMs, detail).toBeLessThanOrEqual(RECOVERY_LIMIT_MS);
    expect(recovery.healthyForMs, detail).toBeGreaterThanOrEqual(AFTER_READY_MS - RECOVERY_LIMIT_MS - 500);
  });
});
