import { createRedis, deleteFeedmeshKeys, userFields, userReadModelKey, waitForRedis, type StoredBatch } from '@feedmesh/storage';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EngagementRecord, RecordRejection } from './engagement-record.js';
import { describeRejections, recordEngagement, type RecordEngagementDeps } from './record-engagement.js';

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

function deps(batch: StoredBatch, client = redis, trendingBumped = true) {
  const seen: { stored?: EngagementRecord[]; bumped?: unknown; debug: string[]; failures: Array<[string, unknown]> } = { debug: [], failures: [] };
  const value: RecordEngagementDeps = {
    storage: {
      engagement: { store: async (records: EngagementRecord[]) => ((seen.stored = records), batch) },
      timelines: { bumpTrending: async (updates: unknown) => ((seen.bumped = updates), trendingBumped) },
    } as unknown as RecordEngagementDeps['storage'],
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
