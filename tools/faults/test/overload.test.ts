// 2× overload of the aggregator: capacity measured with a closed loop, then an open loop at twice
// that rate. Admitted calls must finish within their deadline; the rest must be refused fast with
// ResourceExhausted (load shedding), never Internal, Unavailable or a queue that eats the deadline.
import { FeedService } from '@feedmesh/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  clientOf,
  closedLoop,
  describeCalls,
  firstPageCall,
  now,
  openLoop,
  outcomeCounts,
  percentile,
  sleep,
  startFaultEnvironment,
  type CallRecord,
  type FaultClient,
  type FaultEnvironment,
} from '../src/index.js';

const DEADLINE_MS = 1_000;
/** Each capacity step (callers 1, 2, 4, …). */
const STEP_MS = 2_000;
const OVERLOAD_MS = 6_000;
/** A refusal costs the server next to nothing; on a shared 2-core box allow for scheduling noise. */
const FAST_REFUSAL_MS = 100;

let env: FaultEnvironment;
let feed: FaultClient<typeof FeedService>;
let capacityRps: number;
let overload: CallRecord[];
let skipped: number;

beforeAll(async () => {
  env = await startFaultEnvironment(['recall', 'ranking', 'render', 'aggregator']);
  feed = clientOf(FeedService, env.mesh.address('aggregator'), 'grpc');
  const call = firstPageCall(feed, env.users, DEADLINE_MS);
  // Capacity is throughput: a generous deadline, so slow answers still count.
  const capacityCall = firstPageCall(feed, env.users, 5_000);
  // Warm-up, then capacity: the best rate of whole answers a closed loop gets, doubling its
  // callers until that stops growing (more callers past saturation only add queueing).
  const warm = closedLoop(capacityCall, { concurrency: 2 });
  await sleep(2_000);
  await warm.stop();
  const steps: string[] = [];
  capacityRps = 0;
  for (let callers = 1; callers <= 16; callers *= 2) {
    const measure = closedLoop(capacityCall, { concurrency: callers });
    const started = now();
    await sleep(STEP_MS);
    const done = (await measure.stop()).filter((r) => r.code === 'OK' && r.endMs - started <= STEP_MS);
    const rps = (done.length * 1000) / STEP_MS;
    steps.push(`${callers}: ${rps.toFixed(1)}/s`);
    if (rps <= capacityRps * 1.1) break;
    capacityRps = Math.max(capacityRps, rps);
  }
  const rate = Math.max(2, Math.round(2 * capacityRps));
  const load = openLoop(call, { rate, maxInFlight: 5_000 });
  await sleep(OVERLOAD_MS);
  overload = await load.stop();
  skipped = load.skipped();
  const ok = overload.filter((r) => r.code === 'OK');
  const refused = overload.filter((r) => r.code === 'ResourceExhausted');
  console.log(
    `[faults] overload: capacity ${capacityRps.toFixed(1)} pages/s (closed loop, callers: ${steps.join(', ')}); ` +
      `open loop ${rate}/s for ${OVERLOAD_MS} ms: ${JSON.stringify(outcomeCounts(overload))}; OK p50/p99 ${percentile(ok.map((r) => r.endMs - r.startMs), 50).toFixed(0)}/${percentile(ok.map((r) => r.endMs - r.startMs), 99).toFixed(0)} ms; ` +
      `ResourceExhausted p99 ${percentile(refused.map((r) => r.endMs - r.startMs), 99).toFixed(1)} ms; send lag p99 ${percentile(overload.map((r) => r.startMs - r.intendedMs), 99).toFixed(1)} ms`,
  );
});

afterAll(async () => {
  feed?.close();
  await env?.close();
});

describe('2× overload of the aggregator', () => {
  it('measured a capacity and offered twice it (the scenario is valid)', () => {
    expect(capacityRps).toBeGreaterThanOrEqual(3);
    expect(skipped).toBe(0);
  });

  it('answers OK, ResourceExhausted or (admitted, late) DeadlineExceeded, never Internal or Unavailable', () => {
    const wrong = overload.filter((r) => !['OK', 'ResourceExhausted', 'DeadlineExceeded'].includes(r.code));
    expect(wrong.length, describeCalls(wrong)).toBe(0);
  });

  it(`finishes admitted calls within their ${DEADLINE_MS} ms deadline (p99)`, () => {
    const admitted = overload.filter((r) => r.code !== 'ResourceExhausted');
    const late = admitted.filter((r) => r.code === 'DeadlineExceeded');
    expect(late.length / admitted.length, `${late.length} of ${admitted.length} admitted calls ran out of their deadline; ${describeCalls(overload)}`).toBeLessThanOrEqual(0.01);
  });

  it(`refuses the rest fast: ResourceExhausted within ${FAST_REFUSAL_MS} ms (p99)`, () => {
    const refused = overload.filter((r) => r.code === 'ResourceExhausted');
    if (refused.length === 0) return;
    expect(percentile(refused.map((r) => r.endMs - r.startMs), 99)).toBeLessThanOrEqual(FAST_REFUSAL_MS);
  });
});
