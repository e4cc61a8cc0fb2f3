import { createRedis, deleteFeedmeshKeys, redisKeys, userFields, userReadModelKey, waitForRedis, type ShowLessMark, type StoredBatch } from '@feedmesh/storage';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EngagementRecord, RecordRejection } from './engagement-record.js';
import { describeRejections, hideMarks, recordEngagement, seenViews, type RecordEngagementDeps } from './record-engagement.js';

// A real Redis (the run's key prefix) for the read-model rollup; the repositories are fakes.
const redis = createRedis({ url: 'redis://127.0.0.1:6379/11', lazyConnect: true });
const record = (index: number): EngagementRecord => ({ index, userId: 'u1', itemId: `i${index}`, type: 2, occurredAtMs: 1, dwellMs: null });
const stats: StoredBatch['stats'][number] = { itemId: 'i0', kind: 1, authorId: 'a1', createdAtMs: 5, views: 1, likes: 2, shares: 0, hides: 0, clicks: 0 };
const stored = (fields: Partial<StoredBatch> = {}): StoredBatch => ({
  accepted: 2,
  duplicates: 1,
  rejections: [{ index: 3, field: 'item_id', reason: 'item does not exist' }],
  stats: [stats],
  authorAffinities: [['u1', 'a1', '0.5']],
  kindAffinities: [['u1', 1, '0.25']],
  ...fields,
});

const HOUR = 3_600_000;
const NOW = 1_900_000_000_000;

function deps(batch: StoredBatch, client = redis, trendingBumped = true, showLess: (mark: ShowLessMark) => Promise<unknown> = async () => ({ outcome: 'done' })) {
  const seen: { stored?: EngagementRecord[]; bumped?: unknown; debug: string[]; failures: Array<[string, unknown]>; marks: ShowLessMark[] } = { debug: [], failures: [], marks: [] };
  const value: RecordEngagementDeps = {
    storage: {
      engagement: { store: async (records: EngagementRecord[]) => ((seen.stored = records), batch) },
      timelines: { bumpTrending: async (updates: unknown) => ((seen.bumped = updates), trendingBumped) },
      // One call for the batch's marks, as the repository takes them.
      viewerPreferences: {
        showLessMany: async (marks: ShowLessMark[]) => {
          seen.marks.push(...marks);
          for (const mark of marks) await showLess(mark);
        },
      },
    } as unknown as RecordEngagementDeps['storage'],
    showLessPeriodMs: 10 * HOUR,
    seenItems: { maxItems: 3, ttlMs: HOUR },
    now: () => NOW,
    redis: client,
    logger: { debug: (line: string) => seen.debug.push(line) } as unknown as RecordEngagementDeps['logger'],
    readModelFailures: { record: (write: string, error: unknown) => seen.failures.push([write, error]) } as unknown as RecordEngagementDeps['readModelFailures'],
  };
  return { deps: value, seen };
}

beforeAll(() => waitForRedis(redis));
afterAll(async () => {
  await deleteFeedmeshKeys(redis);
  redis.disconnect();
});

describe('recordEngagement', () => {
  it("stores the valid records, merges both kinds of rejection in record order, bumps trending and writes the users' affinities", async () => {
    const validation: RecordRejection[] = [
      { index: 4, field: 'type', reason: 'bad' },
      { index: 1, field: 'user_id', reason: 'bad' },
    ];
    const { deps: d, seen } = deps(stored());
    const outcome = await recordEngagement(d, [record(0), record(2), record(3)], validation);
    expect(seen.stored?.map((r) => r.index)).toEqual([0, 2, 3]);
    expect(outcome).toEqual({
      accepted: 2,
      duplicates: 1,
      rejected: 3,
      errors: [validation[1], { index: 3, field: 'item_id', reason: 'item does not exist' }, validation[0]],
    });
    expect(seen.bumped).toEqual([stats]);
    expect(await redis.hmget(userReadModelKey('u1'), userFields.author('a1'), userFields.kind(1))).toEqual(['0.5', '0.25']);
    expect(seen.failures).toEqual([]);
  });

  it('never fails the call on the Redis writes after the commit: a lost rollup is counted, a skipped bump logged', async () => {
    const down = createRedis({ url: 'redis://127.0.0.1:1', lazyConnect: true });
    down.on('error', () => {});
    try {
      const { deps: d, seen } = deps(stored(), down, false);
      const outcome = await recordEngagement(d, [record(0)], []);
      expect(outcome.accepted).toBe(2);
      expect(seen.failures.map(([write]) => write)).toEqual(['engagement_rollup']);
      expect(seen.debug).toEqual(['trending bump skipped: Redis unavailable']);
    } finally {
      down.disconnect();
    }
  });
});

describe('recordEngagement, per viewer', () => {
  const ev = (index: number, type: number, fields: Partial<EngagementRecord> = {}): EngagementRecord => ({ index, userId: 'v1', itemId: `i${index}`, type, occurredAtMs: NOW - 1000 + index, dwellMs: null, ...fields });

  it('VIEWs of stored records mark their items seen for the viewer (bounded, TTL); rejected ones do not', async () => {
    const { deps: d, seen } = deps(stored({ rejections: [{ index: 5, field: 'item_id', reason: 'item does not exist' }] }));
    await recordEngagement(d, [0, 1, 2, 3, 4, 5].map((i) => ev(i, 1)), []);
    const key = redisKeys.viewerSeen('v1');
    // maxItems 3: the newest three views; item 5 was rejected by the store.
    expect(await redis.zrange(key, '0', '-1')).toEqual(['i2', 'i3', 'i4']);
    expect(await redis.pttl(key)).toBeGreaterThan(0);
    expect(seen.failures).toEqual([]);
    expect(seen.marks).toEqual([]);
  });

  it('a HIDE marks show-less of its item for the hiding viewer only, from the event time, once per (viewer, item), idempotent by request id', async () => {
    const { deps: d, seen } = deps(stored({ rejections: [] }));
    await recordEngagement(d, [ev(0, 4), ev(1, 4, { itemId: 'i0', occurredAtMs: NOW }), ev(2, 4, { userId: 'v2', itemId: 'i0' }), ev(3, 2)], []);
    expect(seen.marks.sort((a, b) => a.userId.localeCompare(b.userId))).toEqual([
      { userId: 'v1', scope: 'item', targetId: 'i0', untilMs: NOW + 10 * HOUR, requestId: `hide:${NOW}` },
      { userId: 'v2', scope: 'item', targetId: 'i0', untilMs: NOW - 1000 + 2 + 10 * HOUR, requestId: `hide:${NOW - 1000 + 2}` },
    ]);
    // The same batch again (duplicates) asks for the same marks: the repository keeps the stored end.
    const again = deps(stored({ rejections: [] }));
    await recordEngagement(again.deps, [ev(0, 4), ev(1, 4, { itemId: 'i0', occurredAtMs: NOW }), ev(2, 4, { userId: 'v2', itemId: 'i0' })], []);
    expect(again.seen.marks.map((m) => m.requestId).sort()).toEqual(seen.marks.map((m) => m.requestId).sort());
  });

  it('a failed HIDE mark or seen write is counted, never fails the call', async () => {
    const down = createRedis({ url: 'redis://127.0.0.1:1', lazyConnect: true });
    down.on('error', () => {});
    try {
      const { deps: d, seen } = deps(stored({ rejections: [] }), down, true, async () => {
        throw new Error('hash write failed');
      });
      const outcome = await recordEngagement(d, [ev(0, 4), ev(1, 1)], []);
      expect(outcome.accepted).toBe(2);
      expect(seen.failures.map(([write]) => write).sort()).toEqual(['engagement_rollup', 'hide_show_less', 'seen_items']);
    } finally {
      down.disconnect();
    }
  });

  it('seenViews and hideMarks pick their types', () => {
    expect(seenViews([ev(0, 1), ev(1, 2)])).toEqual([{ userId: 'v1', itemId: 'i0', occurredAtMs: NOW - 1000 }]);
    expect(hideMarks([ev(0, 1), ev(1, 4)], HOUR)).toEqual([{ userId: 'v1', itemId: 'i1', untilMs: NOW - 999 + HOUR, requestId: `hide:${NOW - 999}` }]);
  });
});

describe('describeRejections', () => {
  it('names the first rejected record and field, and counts the rest', () => {
    expect(describeRejections([{ index: 2, field: 'dwell_ms', reason: 'must be an integer in 0..86400000' }])).toEqual({
      field: 'events[2].dwell_ms',
      message: 'events[2].dwell_ms: must be an integer in 0..86400000',
    });
    expect(
      describeRejections([
        { index: 0, field: '', reason: 'must be an object, got array' },
        { index: 1, field: 'type', reason: 'x' },
        { index: 2, field: 'type', reason: 'y' },
      ]),
    ).toEqual({ field: 'events[0]', message: 'events[0]: must be an object, got array (and 2 more rejected records)' });
  });
});
