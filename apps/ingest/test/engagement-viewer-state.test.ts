import { timestampFromMs } from '@bufbuild/protobuf/wkt';
import { EngagementType } from '@feedmesh/contracts';
import { redisKeys } from '@feedmesh/storage';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { articlePayload, createTestStores, insertUsers, startIngest, type IngestClient, type StartedIngest, type TestStores } from './fixtures.js';

// RecordEngagement through the network against the ingest process: VIEW marks the viewer's seen
// zset (bounded, with a TTL), HIDE marks "show less" of the item for the hiding viewer only (the
// user_show_less row and the viewer's preferences hash), a repeated batch changes nothing.
let stores: TestStores;
let ingest: StartedIngest;
let client: IngestClient;
const SEEN_MAX = 3;
const SEEN_TTL_HOURS = 2;
const PERIOD_HOURS = 5;
const HOUR = 3_600_000;
const items: string[] = [];

beforeAll(async () => {
  stores = await createTestStores();
  await insertUsers(stores.pool, ['writer', 'hider', 'other']);
  ingest = await startIngest(stores, { INGEST_WORKERS: '1', SEEN_ITEMS_MAX: String(SEEN_MAX), SEEN_TTL_HOURS: String(SEEN_TTL_HOURS), SHOW_LESS_PERIOD_HOURS: String(PERIOD_HOURS) });
  ({ client } = ingest);
  for (let i = 0; i < 5; i++) items.push((await client.publish({ requestId: `vs-${i}`, authorId: 'writer', payload: articlePayload(`Item ${i}`) })).itemId);
});

afterAll(async () => {
  await ingest?.stop();
  await stores?.close();
});

const event = (userId: string, itemId: string, type: EngagementType, atMs: number) => ({ userId, itemId, type, occurredAt: timestampFromMs(atMs), dwellMs: 0 });

describe('RecordEngagement and the viewer state', () => {
  it('VIEW marks the items seen for the viewer: the newest SEEN_ITEMS_MAX, each until view time + SEEN_TTL_HOURS, the key with a TTL', async () => {
    const now = Date.now();
    const events = items.map((itemId, i) => event('other', itemId, EngagementType.VIEW, now - 10_000 + i * 1000));
    expect(await client.recordEngagement({ events })).toMatchObject({ accepted: 5, rejected: 0 });
    const key = redisKeys.viewerSeen('other');
    const marks = await stores.redis.zrange(key, '0', '-1', 'WITHSCORES');
    expect(marks.filter((_, i) => i % 2 === 0)).toEqual(items.slice(2));
    expect(Number(marks[1])).toBe(now - 10_000 + 2 * 1000 + SEEN_TTL_HOURS * HOUR);
    const ttl = await stores.redis.pttl(key);
    expect(ttl).toBeGreaterThan(SEEN_TTL_HOURS * HOUR - 60_000);
    expect(ttl).toBeLessThanOrEqual(SEEN_TTL_HOURS * HOUR);
    // Other engagement types mark nothing; the hider saw nothing.
    expect(await stores.redis.exists(redisKeys.viewerSeen('hider'))).toBe(0);
  });

  it("HIDE lowers the item for the hiding viewer only (row + hash, SHOW_LESS_PERIOD_HOURS from the event); a repeated batch is idempotent", async () => {
    const at = Date.now() - 5_000;
    const batch = { events: [event('hider', items[0]!, EngagementType.HIDE, at), event('other', items[1]!, EngagementType.LIKE, at)] };
    expect(await client.recordEngagement(batch)).toMatchObject({ accepted: 2, duplicates: 0 });
    const field = `less-item:${items[0]}`;
    expect((await stores.redis.hgetall(redisKeys.viewerPreferences('hider')))[field]).toBe(String(at + PERIOD_HOURS * HOUR));
    expect((await stores.redis.hgetall(redisKeys.viewerPreferences('other')))[field]).toBeUndefined();
    const rows = async () =>
      (await stores.pool.query<{ user_id: string; scope: string; until_ms: number; request_id: string }>(
        'SELECT user_id, scope, (extract(epoch FROM until) * 1000)::float8 AS until_ms, request_id FROM user_show_less WHERE target_id = $1 ORDER BY user_id',
        [items[0]],
      )).rows;
    expect(await rows()).toEqual([{ user_id: 'hider', scope: 'item', until_ms: at + PERIOD_HOURS * HOUR, request_id: `hide:${at}` }]);

    // The same batch again: duplicates, and the mark stays exactly as it was.
    await stores.redis.hdel(redisKeys.viewerPreferences('hider'), field); // a lost hash write: the retry repairs it
    expect(await client.recordEngagement(batch)).toMatchObject({ accepted: 0, duplicates: 2 });
    expect(await rows()).toEqual([{ user_id: 'hider', scope: 'item', until_ms: at + PERIOD_HOURS * HOUR, request_id: `hide:${at}` }]);
    expect((await stores.redis.hgetall(redisKeys.viewerPreferences('hider')))[field]).toBe(String(at + PERIOD_HOURS * HOUR));
  });

  it('a HIDE of an unknown item is rejected and marks nothing', async () => {
    const ghost = '00000000-0000-4000-8000-00000000abcd';
    const outcome = await client.recordEngagement({ events: [event('hider', ghost, EngagementType.HIDE, Date.now()), event('hider', items[4]!, EngagementType.CLICK, Date.now())] });
    expect(outcome.errors.map((e) => [e.index, e.field])).toEqual([[0, 'item_id']]);
    expect((await stores.redis.hgetall(redisKeys.viewerPreferences('hider')))[`less-item:${ghost}`]).toBeUndefined();
  });
});
