// SIGTERM to the aggregator under load on one protocol at a time (Connect JSON over HTTP/1.1
// alone, then gRPC over HTTP/2 alone, so neither keeps the server open for the other): readiness
// says not-ready at once, the port keeps serving for SHUTDOWN_DELAY_MS, then the listener closes,
// every call in flight completes, new connections are refused, and the process exits 0.
import { FeedService } from '@feedmesh/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  clientOf,
  closedLoop,
  describeCalls,
  firstPageCall,
  inFlightAt,
  now,
  outcomeCounts,
  readyzStatus,
  sleep,
  startedBetween,
  startFaultEnvironment,
  watchListener,
  type CallRecord,
  type FaultEnvironment,
  type ListenerWatch,
  type Protocol,
} from '../src/index.js';

const SHUTDOWN_DELAY_MS = 1_000;
const SHUTDOWN_GRACE_MS = 10_000;
/** Recall's "following" source waits this long, so pages take a while and calls straddle the listener's close. */
const SLOW_SOURCE_MS = 250;

let env: FaultEnvironment;

beforeAll(async () => {
  env = await startFaultEnvironment(['recall', 'ranking', 'render', 'aggregator'], {
    recall: { FEEDMESH_TEST_HOOKS: 'enable', RECALL_SOURCE_DELAY_MS_FOLLOWING: String(SLOW_SOURCE_MS), RECALL_FOLLOWING_TIMEOUT_MS: '3000' },
    aggregator: { SHUTDOWN_DELAY_MS: String(SHUTDOWN_DELAY_MS), SHUTDOWN_GRACE_MS: String(SHUTDOWN_GRACE_MS) },
  });
});

afterAll(async () => {
  await env?.close();
});

describe.each<Protocol>(['connect', 'grpc'])('SIGTERM under %s load alone', (protocol) => {
  let records: CallRecord[];
  let signalAt: number;
  let readyzAfterSignal: { status: number; ms: number };
  let listener: ListenerWatch;
  let exitCode: number | null;
  let exitedAt: number;

  beforeAll(async () => {
    if (!env.mesh.isRunning('aggregator')) await env.mesh.start('aggregator');
    const port = env.mesh.ports.aggregator;
    const feed = clientOf(FeedService, env.mesh.address('aggregator'), protocol);
    const load = closedLoop(firstPageCall(feed, env.users, 5_000), { concurrency: 6 });
    await sleep(3_000);
    const { atMs, exited } = env.mesh.signal('aggregator', 'SIGTERM');
    signalAt = atMs;
    const watching = watchListener(port, exited);
    const status = await readyzStatus(port);
    readyzAfterSignal = { status, ms: now() - signalAt };
    exitCode = await exited;
    exitedAt = now();
    listener = await watching;
    records = await load.stop();
    feed.close();
    console.log(
      `[faults] SIGTERM ${protocol}: /readyz ${readyzAfterSignal.status} after ${Math.round(readyzAfterSignal.ms)} ms; ` +
        `listener open until +${Math.round((listener.lastAcceptedMs ?? signalAt) - signalAt)} ms, refused from +${Math.round((listener.firstRefusedMs ?? NaN) - signalAt)} ms; ` +
        `exit ${exitCode} at +${Math.round(exitedAt - signalAt)} ms; in flight at the signal ${JSON.stringify(outcomeCounts(inFlightAt(records, signalAt)))}, ` +
        `at the close ${JSON.stringify(outcomeCounts(inFlightAt(records, listener.firstRefusedMs ?? exitedAt)))}; sent during the delay ${JSON.stringify(outcomeCounts(startedBetween(records, signalAt, listener.lastAcceptedMs ?? signalAt)))}`,
    );
  });

  it('reports not-ready at once', () => {
    expect(readyzAfterSignal.status).toBe(503);
    expect(readyzAfterSignal.ms).toBeLessThan(250);
  });

  it(`keeps accepting connections for SHUTDOWN_DELAY_MS (${SHUTDOWN_DELAY_MS} ms), then refuses every new one`, () => {
    expect(listener.lastAcceptedMs! - signalAt).toBeGreaterThanOrEqual(SHUTDOWN_DELAY_MS - 100);
    expect(listener.firstRefusedMs).toBeDefined();
    expect(listener.acceptedAfterRefused).toBe(0);
  });

  it('completes every call in flight when the signal came', () => {
    const inFlight = inFlightAt(records, signalAt);
    expect(inFlight.length).toBeGreaterThan(0);
    const failed = inFlight.filter((r) => r.code !== 'OK');
    expect(failed.length, describeCalls(failed)).toBe(0);
  });

  it('serves calls sent during the delay and completes every call in flight when the listener closed', () => {
    // Calls whose connection was surely accepted: sent before the last accepted probe.
    const accepted = startedBetween(records, signalAt, listener.lastAcceptedMs ?? signalAt);
    expect(accepted.length).toBeGreaterThan(0);
    const failed = accepted.filter((r) => r.code !== 'OK');
    expect(failed.length, describeCalls(failed)).toBe(0);
    expect(accepted.filter((r) => r.endMs > (listener.firstRefusedMs ?? exitedAt)).length, 'calls still running when the listener closed').toBeGreaterThan(0);
  });

  it('exits 0 within the delay and the grace period', () => {
    expect(exitCode).toBe(0);
    expect(exitedAt - signalAt).toBeLessThan(SHUTDOWN_DELAY_MS + SHUTDOWN_GRACE_MS);
  });
});
