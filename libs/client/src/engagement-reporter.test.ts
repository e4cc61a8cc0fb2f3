import { timestampMs } from '@bufbuild/protobuf/wkt';
import { Code, ConnectError, createClient, createRouterTransport } from '@connectrpc/connect';
import { EngagementType, IngestService, type RecordEngagementRequest } from '@feedmesh/contracts';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createEngagementReporter, type BatchResult, type EngagementReporterOptions } from './engagement-reporter.js';

interface Call {
  requestId: string | null;
  events: { itemId: string; type: EngagementType; occurredAtMs: number; dwellMs: number }[];
}

/** An IngestService whose RecordEngagement fails while `fail(n)` returns an error (n = 1-based call). */
function fakeIngest(fail: (n: number) => ConnectError | undefined = () => undefined) {
  const calls: Call[] = [];
  const transport = createRouterTransport(({ service }) => {
    service(IngestService, {
      recordEngagement(req: RecordEngagementRequest, ctx) {
        calls.push({
          requestId: ctx.requestHeader.get('x-request-id'),
          events: req.events.map((e) => ({ itemId: e.itemId, type: e.type, occurredAtMs: timestampMs(e.occurredAt!), dwellMs: e.dwellMs })),
        });
        const error = fail(calls.length);
        if (error) throw error;
        return { accepted: req.events.length, rejected: 0, duplicates: 0, errors: [] };
      },
    });
  });
  return { client: createClient(IngestService, transport), calls };
}

/** flush() with the fake clock running, so retry backoffs elapse. */
async function flushed(reporter: { flush(): Promise<void> }): Promise<void> {
  const done = reporter.flush();
  await vi.advanceTimersByTimeAsync(1_000);
  await done;
}

let ids = 0;
const options = (extra: EngagementReporterOptions = {}): EngagementReporterOptions => ({ newRequestId: () => `batch-${++ids}`, retryBackoffMs: 0, ...extra });

beforeEach(() => {
  ids = 0;
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'], now: 1_700_000_000_000 });
});
afterEach(() => {
  vi.useRealTimers();
});

describe('engagement reporter', () => {
  it('sends a batch as soon as maxBatchSize events are buffered, off the caller’s stack', async () => {
    const { client, calls } = fakeIngest();
    const reporter = createEngagementReporter(client, 'u1', options({ maxBatchSize: 3, maxDelayMs: 60_000 }));
    reporter.like('i1');
    reporter.view('i2', 1500);
    reporter.share('i3');
    expect(calls).toHaveLength(0); // track() only buffers
    reporter.hide('i4');
    await vi.advanceTimersByTimeAsync(0);
    expect(calls).toHaveLength(1);
    expect(calls[0]!.events.map((e) => [e.itemId, e.type, e.dwellMs])).toEqual([
      ['i1', EngagementType.LIKE, 0],
      ['i2', EngagementType.VIEW, 1500],
      ['i3', EngagementType.SHARE, 0],
    ]);
    expect(calls[0]!.events[0]!.occurredAtMs).toBe(1_700_000_000_000);
    expect(reporter.pending).toBe(1);
  });

  it('sends what is buffered maxDelayMs after the first event', async () => {
    const { client, calls } = fakeIngest();
    const reporter = createEngagementReporter(client, 'u1', options({ maxBatchSize: 100, maxDelayMs: 1_000 }));
    reporter.like('i1');
    await vi.advanceTimersByTimeAsync(400);
    reporter.like('i2');
    await vi.advanceTimersByTimeAsync(599);
    expect(calls).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(calls.map((c) => c.events.map((e) => e.itemId))).toEqual([['i1', 'i2']]);
    // The next event starts a new window.
    reporter.like('i3');
    await vi.advanceTimersByTimeAsync(999);
    expect(calls).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(calls).toHaveLength(2);
    expect(reporter.pending).toBe(0);
  });

  it('a retried batch keeps its request id and its events (same occurred_at: a duplicate, not a second count)', async () => {
    const { client, calls } = fakeIngest((n) => (n === 1 ? new ConnectError('connection reset', Code.Unavailable) : undefined));
    const results: BatchResult[] = [];
    const reporter = createEngagementReporter(client, 'u1', options({ onBatch: (r) => results.push(r) }));
    reporter.like('i1');
    await vi.advanceTimersByTimeAsync(10);
    reporter.view('i2');
    await flushed(reporter);
    expect(calls).toHaveLength(2);
    expect(calls[1]!.requestId).toBe(calls[0]!.requestId);
    expect(calls[1]!.events).toEqual(calls[0]!.events);
    expect(results).toHaveLength(1);
    expect(results[0]!.batch.attempts).toBe(2);
    expect(results[0]!.response?.accepted).toBe(2);
  });

  it('a batch whose retries ran out is sent again first, with the same id, on the next flush', async () => {
    let down = true;
    const { client, calls } = fakeIngest(() => (down ? new ConnectError('ingest unavailable', Code.Unavailable) : undefined));
    const results: BatchResult[] = [];
    const reporter = createEngagementReporter(client, 'u1', options({ maxRetries: 1, onBatch: (r) => results.push(r) }));
    reporter.like('i1');
    await flushed(reporter);
    expect(calls).toHaveLength(2);
    expect(results[0]).toMatchObject({ requeued: true });
    expect(reporter.pending).toBe(1);
    reporter.like('i2');
    down = false;
    await flushed(reporter);
    expect(calls.map((c) => [c.requestId, c.events.map((e) => e.itemId)])).toEqual([
      ['batch-1', ['i1']],
      ['batch-1', ['i1']],
      ['batch-1', ['i1']],
      ['batch-2', ['i2']],
    ]);
    expect(reporter.pending).toBe(0);
  });

  it('a batch the server refuses (not transient) is dropped and reported, not retried', async () => {
    const { client, calls } = fakeIngest(() => new ConnectError('events[0].item_id: must be a UUID', Code.InvalidArgument));
    const onError = vi.fn();
    const reporter = createEngagementReporter(client, 'u1', options({ onError }));
    reporter.like('not-a-uuid');
    await flushed(reporter);
    expect(calls).toHaveLength(1);
    expect(onError).toHaveBeenCalledWith(expect.objectContaining({ code: Code.InvalidArgument }));
    expect(reporter.pending).toBe(0);
  });

  it('never throws into the caller: bad input, failing callbacks and a dead service are reported', async () => {
    const { client } = fakeIngest(() => new ConnectError('boom', Code.Internal));
    const onError = vi.fn(() => {
      throw new Error('the app’s handler fails too');
    });
    const reporter = createEngagementReporter(client, 'u1', options({ onError, maxRetries: 0, onBatch: () => { throw new Error('x'); } }));
    expect(() => reporter.track({ itemId: '', type: 'LIKE' })).not.toThrow();
    expect(() => reporter.track({ itemId: 'i1', type: 'NOPE' as 'LIKE' })).not.toThrow();
    expect(() => reporter.like('i1')).not.toThrow();
    await expect(flushed(reporter)).resolves.toBeUndefined();
    const closed = reporter.close();
    await vi.advanceTimersByTimeAsync(1_000);
    await expect(closed).resolves.toBeUndefined();
    expect(onError).toHaveBeenCalledWith(expect.objectContaining({ message: expect.stringMatching(/1 engagement events not sent/) }));
    expect(() => reporter.like('i2')).not.toThrow(); // after close: ignored
  });

  it('keeps at most maxBufferedEvents while the service is away, dropping the oldest', async () => {
    const { client, calls } = fakeIngest();
    const onError = vi.fn();
    const reporter = createEngagementReporter(client, 'u1', options({ maxBatchSize: 10, maxBufferedEvents: 10, onError }));
    for (let i = 0; i < 12; i++) reporter.track({ itemId: `i${i}`, type: 'VIEW' });
    expect(onError).toHaveBeenCalledWith(expect.objectContaining({ code: Code.ResourceExhausted }));
    await flushed(reporter);
    expect(calls.flatMap((c) => c.events.map((e) => e.itemId))).toEqual(['i2', 'i3', 'i4', 'i5', 'i6', 'i7', 'i8', 'i9', 'i10', 'i11']);
  });

  it('flushes when the lifecycle hook fires (page hide / process exit), and close() removes the hook', async () => {
    const { client, calls } = fakeIngest();
    let fire: (() => void) | undefined;
    const removed = vi.fn();
    const reporter = createEngagementReporter(client, 'u1', options({ maxDelayMs: 60_000 }), (flush) => {
      fire = flush;
      return removed;
    });
    reporter.like('i1');
    fire!();
    await vi.advanceTimersByTimeAsync(0);
    expect(calls).toHaveLength(1);
    reporter.like('i2');
    await reporter.close();
    expect(calls).toHaveLength(2);
    expect(removed).toHaveBeenCalledOnce();
  });

  it('splits a large flush into batches of maxBatchSize, one in flight at a time', async () => {
    const { client, calls } = fakeIngest();
    const reporter = createEngagementReporter(client, 'u1', options({ maxBatchSize: 4, maxDelayMs: 60_000 }));
    for (let i = 0; i < 10; i++) reporter.track({ itemId: `i${i}`, type: 'VIEW', occurredAtMs: 1_699_999_990_000 + i });
    await flushed(reporter);
    expect(calls.map((c) => c.events.length)).toEqual([4, 4, 2]);
    expect(new Set(calls.map((c) => c.requestId)).size).toBe(3);
    expect(calls[0]!.events[1]!.occurredAtMs).toBe(1_699_999_990_001);
  });
});
