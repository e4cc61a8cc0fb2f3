// The test's own Redis stopped (SHUTDOWN SAVE) and started again under read and write load: what
// GetFeed and Publish answer meanwhile, how soon pages are whole again, and that no acknowledged
// publish is lost (in Postgres at once, in Redis once the outbox has caught up).
import { FeedService, IngestService } from '@feedmesh/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  clientOf,
  closedLoop,
  describeCalls,
  endedBefore,
  firstPageCall,
  inFlightAt,
  isHealthy,
  now,
  openLoop,
  outcomeCounts,
  recoveryAfter,
  settle,
  sleep,
  startedBetween,
  startFaultEnvironment,
  WriteLedger,
  type CallRecord,
  type FaultClient,
  type FaultEnvironment,
} from '../src/index.js';

const OUTAGE_MS = 4_000;
const AFTER_MS = 5_000;
const RECOVERY_LIMIT_MS = 2_000;
/** How long the outbox may take to apply what was acknowledged while Redis was down. */
const CATCH_UP_MS = 20_000;

let env: FaultEnvironment;
let feed: FaultClient<typeof FeedService>;
let ingest: FaultClient<typeof IngestService>;
const ledger = new WriteLedger();
let pages: CallRecord[];
let writes: CallRecord[];
let stoppedAt: number;
let backAt: number;

beforeAll(async () => {
  env = await startFaultEnvironment(['recall', 'ranking', 'render', 'aggregator', 'ingest']);
  feed = clientOf(FeedService, env.mesh.address('aggregator'), 'grpc');
  ingest = clientOf(IngestService, env.mesh.address('ingest'), 'grpc');
  // Warm-up (JIT, connections, caches), so the baseline is the mesh's steady state; then light
  // read load (a closed loop of 3 cannot overload the mesh by itself).
  const warm = closedLoop(firstPageCall(feed, env.users, 2_000), { concurrency: 2 });
  await sleep(2_000);
  await warm.stop();
  await settle(firstPageCall(feed, env.users, 2_000));
  const read = closedLoop(firstPageCall(feed, env.users, 2_000), { concurrency: 3, pauseMs: 50 });
  const write = openLoop(ledger.publishCall(ingest, env.users.slice(0, 10)), { rate: 5 });
  await sleep(3_000);
  stoppedAt = now();
  await env.redis.stop();
  await sleep(OUTAGE_MS);
  backAt = await env.redis.start();
  await sleep(AFTER_MS);
  [pages, writes] = await Promise.all([read.stop(), write.stop()]);
  const recovery = recoveryAfter(pages, backAt);
  console.log(
    `[faults] redis: GetFeed before ${JSON.stringify(outcomeCounts(endedBefore(pages, stoppedAt)))}; down ${Math.round(backAt - stoppedAt)} ms ` +
      `${JSON.stringify(outcomeCounts([...inFlightAt(pages, stoppedAt), ...startedBetween(pages, stoppedAt, backAt)]))}; after ${JSON.stringify(outcomeCounts(startedBetween(pages, backAt, Infinity)))}; ` +
      `recovery ${recovery.recoveryMs === Infinity ? 'none' : `${Math.round(recovery.recoveryMs)} ms`} after Redis was back. ` +
      `Publish down ${JSON.stringify(outcomeCounts(startedBetween(writes, stoppedAt, backAt)))}, all ${JSON.stringify(outcomeCounts(writes))}`,
  );
});

afterAll(async () => {
  feed?.close();
  ingest?.close();
  await env?.close();
});

describe('Redis stopped and restarted under load', () => {
  it('served whole pages before the stop (the scenario is valid)', () => {
    // Calls the stop caught in flight are the outage's, not the baseline's.
    const before = endedBefore(pages, stoppedAt);
    expect(before.filter(isHealthy).length / before.length, describeCalls(before)).toBeGreaterThanOrEqual(0.8);
  });

  it('GetFeed answers a page (degraded allowed) or Unavailable while Redis is down, never Internal', () => {
    const during = [...inFlightAt(pages, stoppedAt), ...startedBetween(pages, stoppedAt, backAt)];
    const wrong = during.filter((r) => r.code !== 'OK' && r.code !== 'Unavailable');
    expect(wrong.length, describeCalls(wrong)).toBe(0);
  });

  it(`GetFeed is fully healthy within ${RECOVERY_LIMIT_MS} ms of Redis being back`, () => {
    const recovery = recoveryAfter(pages, backAt);
    const detail = `recovered after ${recovery.recoveryMs} ms; after ${describeCalls(startedBetween(pages, backAt, Infinity))}`;
    expect(recovery.recoveryMs, detail).toBeLessThanOrEqual(RECOVERY_LIMIT_MS);
    expect(recovery.healthyForMs, detail).toBeGreaterThanOrEqual(AFTER_MS - RECOVERY_LIMIT_MS - 500);
  });

  it('Publish is acknowledged or refused cleanly (Unavailable, ResourceExhausted) while Redis is down, never Internal', () => {
    const wrong = writes.filter((r) => !['OK', 'Unavailable', 'ResourceExhausted'].includes(r.code));
    expect(wrong.length, describeCalls(wrong)).toBe(0);
    expect(writes.filter((r) => r.code === 'OK').length).toBe(ledger.publishes.length);
  });

  it('every acknowledged publish is in Postgres', async () => {
    expect(ledger.publishes.length).toBeGreaterThan(0);
    expect(await ledger.missingPublishes(env.pool)).toEqual([]);
  });

  it(`every acknowledged publish reaches its author's recent items in Redis within ${CATCH_UP_MS / 1000} s (outbox work retried)`, async () => {
    const { missing, tookMs } = await ledger.waitForOutbox(env.redis.url, CATCH_UP_MS);
    console.log(`[faults] redis: outbox ${missing.length === 0 ? `caught up ${Math.round(tookMs)} ms after the load stopped` : `still missing ${missing.length} of ${ledger.publishes.length} after ${CATCH_UP_MS} ms`}`);
    expect(missing.length, `${missing.length} of ${ledger.publishes.length} acknowledged publishes not applied to Redis`).toBe(0);
  }, CATCH_UP_MS + 10_000);
});
