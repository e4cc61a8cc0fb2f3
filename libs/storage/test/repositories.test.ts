// The repositories against a real Postgres (a throwaway database with the schema and
// graphile-worker's queue installed) and a real Redis (a db of its own, emptied after).
import { randomBytes } from 'node:crypto';
import { ItemStatus } from '@feedmesh/contracts';
import { runMigrations } from 'graphile-worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createRepositories,
  deleteFeedmeshKeys,
  dropDatabase,
  ensureDatabase,
  HOME_TIMELINE_PLACEHOLDER,
  memberOf,
  migrate,
  openStorage,
  redisKeys,
  readHomeTimeline,
  readItemRecords,
  storeFailureKind,
  TIMELINE_MAX_LENGTH,
  userFields,
  userReadModelKey,
  userReadModelPresent,
  writeEngagementRollup,
  writePulledAuthor,
  type Storage,
} from '../src/index.js';

const PG_BASE = process.env.PG_TEST_URL ?? 'postgres://postgres@127.0.0.1:5432';
const env = {
  DATABASE_URL: `${PG_BASE}/feedmesh_test_repo_${randomBytes(5).toString('hex')}`,
  // A Redis db of this test's own: the trending and fresh zsets are shared keys.
  REDIS_URL: 'redis://127.0.0.1:6379/8',
  REDIS_CLUSTER_NODES: '',
};
let storage: Storage;

async function jobs(task: string): Promise<Array<{ payload: Record<string, unknown>; queue: string | null; key: string | null }>> {
  const { rows } = await storage.pool.query(`SELECT j.payload, q.queue_name AS queue, j.key FROM graphile_worker._private_jobs j JOIN graphile_worker._private_tasks t ON t.id = j.task_id
     LEFT JOIN graphile_worker._private_job_queues q ON q.id = j.job_queue_id WHERE t.identifier = $1 ORDER BY j.id`, [task]);
  return rows;
}

async function insertUsers(ids: string[], followerCount = 0): Promise<void> {
  await storage.pool.query(`INSERT INTO users (id, handle, display_name, follower_count) SELECT id, id, id, $2 FROM unnest($1::text[]) AS id`, [ids, followerCount]);
}

const article = (authorId: string, requestId: string, topics: string[] = ['go']) => ({
  kind: 1,
  authorId,
  payload: { title: requestId, digest: `d-${requestId}` },
  topics,
  requestId,
});

beforeAll(async () => {
  await ensureDatabase(env.DATABASE_URL);
  await migrate(env.DATABASE_URL);
  storage = await openStorage(env, { postgres: { applicationName: 'storage-repo-test', max: 4, checkOnOpen: true } });
  await runMigrations({ pgPool: storage.pool });
  await deleteFeedmeshKeys(storage.redis);
});

afterAll(async () => {
  if (storage) {
    await deleteFeedmeshKeys(storage.redis).catch(() => {});
    await storage.close();
  }
  await dropDatabase(env.DATABASE_URL);
});

describe('openStorage', () => {
  it('opens a pool named as asked, pings both stores and reports pool counts', async () => {
    const { rows } = await storage.pool.query(`SELECT current_setting('application_name') AS name, current_setting('statement_timeout') AS timeout`);
    expect(rows[0]).toEqual({ name: 'storage-repo-test', timeout: '5s' });
    await expect(storage.ping.postgres()).resolves.toBeDefined();
    await expect(storage.ping.redis()).resolves.toBe('PONG');
    expect(storage.poolStats().total).toBeGreaterThan(0);
  });

  it('fails the start when Redis is required and down, and goes on when told what to do instead', async () => {
    const down = { ...env, REDIS_URL: 'redis://127.0.0.1:1' };
    await expect(openStorage(down, { postgres: { applicationName: 't', max: 1 }, redis: { readyTimeoutMs: 500 } })).rejects.toThrow();
    const reasons: unknown[] = [];
    const degraded = await openStorage(down, { postgres: { applicationName: 't', max: 1 }, redis: { readyTimeoutMs: 500, onUnavailableAtStart: (e) => reasons.push(e) } });
    await degraded.close();
    expect(reasons).toHaveLength(1);
  });
});

describe('ItemsRepository', () => {
  it('inserts a published item with its outbox job once per request id, and names an unknown author', async () => {
    await insertUsers(['ia']);
    const first = await storage.items.insertPublished(article('ia', 'r1'), 'test_published');
    expect(first.outcome).toBe('inserted');
    const itemId = first.outcome === 'inserted' ? first.itemId : '';
    expect(await storage.items.insertPublished(article('ia', 'r1'), 'test_published')).toEqual({ outcome: 'exists' });
    expect(await storage.items.insertPublished(article('nobody', 'r1'), 'test_published')).toEqual({ outcome: 'unknown-author' });
    expect(await jobs('test_published')).toEqual([{ payload: { itemId }, queue: null, key: `item:${itemId}:published` }]);
    expect(await storage.items.byRequestId('ia', 'r1', 'digest')).toEqual({ id: itemId, field: 'd-r1' });
    expect(await storage.items.byRequestId('ia', 'r2', 'digest')).toBeUndefined();
  });

  it('edits and deletes only the active item of its author, each with its job', async () => {
    await insertUsers(['ib']);
    const inserted = await storage.items.insertPublished(article('ib', 'r1', ['go', 'rust']), 'test_published');
    const itemId = inserted.outcome === 'inserted' ? inserted.itemId : '';
    const edit = { itemId, authorId: 'ib', kind: 1, fields: { title: 'new' }, topics: ['go'] };
    expect(await storage.items.editActive({ ...edit, kind: 2 }, 'test_edited')).toBe(false);
    expect(await storage.items.editActive({ ...edit, authorId: 'ia' }, 'test_edited')).toBe(false);
    expect(await storage.items.editActive(edit, 'test_edited')).toBe(true);
    expect((await jobs('test_edited')).map((j) => j.payload)).toEqual([{ itemId, previousTopics: ['go', 'rust'] }]);
    expect((await storage.items.byIds([itemId])).get(itemId)).toMatchObject({ kind: 1, authorId: 'ib', status: ItemStatus.ACTIVE, payload: { title: 'new', digest: 'd-r1' } });

    expect(await storage.items.deleteActive(itemId, 'ia', 'test_deleted')).toBe(false);
    expect(await storage.items.deleteActive(itemId, 'ib', 'test_deleted')).toBe(true);
    expect(await storage.items.deleteActive(itemId, 'ib', 'test_deleted')).toBe(false);
    expect(await jobs('test_deleted')).toEqual([{ payload: { itemId }, queue: null, key: `item:${itemId}:deleted` }]);
    expect(await storage.items.owner(itemId)).toEqual({ authorId: 'ib', kind: 1, status: ItemStatus.DELETED });
    expect(await storage.items.owner('00000000-0000-4000-8000-000000000000')).toBeUndefined();
    expect(await storage.items.editActive(edit, 'test_edited')).toBe(false);
    expect((await storage.items.records([itemId])).get(itemId)).toEqual({ status: 'deleted', createdAtMs: 0, views: 0, likes: 0, shares: 0, hides: 0 });
  });

  it('reads items for indexing, by author, newest first, and as read-model records', async () => {
    await insertUsers(['ic'], 7);
    const ids: string[] = [];
    for (const r of ['r1', 'r2', 'r3']) {
      const inserted = await storage.items.insertPublished(article('ic', r), 'test_published');
      if (inserted.outcome === 'inserted') ids.push(inserted.itemId);
    }
    await storage.pool.query(`UPDATE items SET created_at = created_at + (interval '1 second' * array_position($1::uuid[], id)) WHERE id = ANY($1::uuid[])`, [ids]);
    await storage.pool.query(`INSERT INTO item_stats (item_id, views, likes, clicks) VALUES ($1, 5, 2, 1)`, [ids[0]]);
    const indexable = await storage.items.indexable(ids[0]!);
    expect(indexable).toMatchObject({ id: ids[0], kind: 1, authorId: 'ic', status: ItemStatus.ACTIVE, topics: ['go'], authorFollowerCount: 7 });
    expect(indexable?.stats).toEqual({ views: 5, likes: 2, shares: 0, hides: 0, clicks: 1 });
    expect(await storage.items.indexable('00000000-0000-4000-8000-000000000000')).toBeUndefined();

    const recent = await storage.items.recentOfAuthor('ic', 2);
    expect(recent.map((r) => r.id)).toEqual([ids[2], ids[1]]);
    expect(recent[0]!.createdAtMs).toBeGreaterThan(recent[1]!.createdAtMs);
    expect((await storage.items.newest(1))[0]).toMatchObject({ id: ids[2], kind: 1, authorId: 'ic' });

    const records = await storage.items.records([ids[0]!, 'not-a-uuid', '00000000-0000-4000-8000-000000000000']);
    expect([...records.keys()]).toEqual([ids[0]]);
    expect(records.get(ids[0]!)).toEqual({ status: 'active', createdAtMs: indexable!.createdAtMs, views: 5, likes: 2, shares: 0, hides: 0 });
    expect(await storage.items.byIds([])).toEqual(new Map());
  });
});

describe('FollowsRepository', () => {
  const jobsFor = (followerId: string, followeeId: string, following: boolean) => ({
    changed: { task: 'test_follow', payload: { followerId, followeeId, following }, queue: `follow:${followerId}` },
    pullCrossed: { task: 'test_pull', payload: { authorId: followeeId }, queue: `pull:${followeeId}`, key: `pull-plan:${followeeId}` },
  });
  const follow = (followerId: string, followeeId: string, following = true, threshold = 1) =>
    storage.follows.change({ followerId, followeeId, following }, threshold, jobsFor(followerId, followeeId, following));

  it('adds and removes an edge idempotently, keeps the counts and enqueues its jobs in the same transaction', async () => {
    await insertUsers(['fa', 'fb', 'fc']);
    expect(await follow('fa', 'ghost')).toEqual({ outcome: 'unknown-user', field: 'followee_id', userId: 'ghost' });
    expect(await follow('ghost', 'fa')).toEqual({ outcome: 'unknown-user', field: 'follower_id', userId: 'ghost' });
    expect(await follow('fa', 'fc')).toEqual({ outcome: 'done', changed: true, followerCount: 1 });
    expect(await follow('fa', 'fc')).toEqual({ outcome: 'done', changed: false, followerCount: 1 });
    // The second follower takes fc across the threshold (1): the pull job goes with it.
    expect(await follow('fb', 'fc')).toEqual({ outcome: 'done', changed: true, followerCount: 2 });
    expect(await follow('fb', 'fc', false)).toEqual({ outcome: 'done', changed: true, followerCount: 1 });
    expect((await jobs('test_follow')).map((j) => [j.payload, j.queue])).toEqual([
      [{ followerId: 'fa', followeeId: 'fc', following: true }, 'follow:fa'],
      [{ followerId: 'fb', followeeId: 'fc', following: true }, 'follow:fb'],
      [{ followerId: 'fb', followeeId: 'fc', following: false }, 'follow:fb'],
    ]);
    // Up and back down fold into one pending plan (its job key).
    expect(await jobs('test_pull')).toEqual([{ payload: { authorId: 'fc' }, queue: 'pull:fc', key: 'pull-plan:fc' }]);
    const { rows } = await storage.pool.query(`SELECT id, follower_count, following_count FROM users WHERE id IN ('fa', 'fb', 'fc') ORDER BY id`);
    expect(rows).toEqual([
      { id: 'fa', follower_count: 0, following_count: 1 },
      { id: 'fb', follower_count: 0, following_count: 0 },
      { id: 'fc', follower_count: 1, following_count: 0 },
    ]);
    expect(await storage.follows.edgeState('fa', 'fc')).toEqual({ edge: true, followerCount: 1 });
    expect(await storage.follows.edgeState('fb', 'fc')).toEqual({ edge: false, followerCount: 1 });
    expect(await storage.follows.edgeState('fb', 'ghost')).toEqual({ edge: false, followerCount: null });
  });

  it('plans fan-out batches and ranges of an author followers, and reads each back', async () => {
    const followers = ['p1', 'p2', 'p3', 'p4', 'p5'];
    await insertUsers(['pa', ...followers]);
    await storage.pool.query(`INSERT INTO follows (follower_id, followee_id) SELECT f, 'pa' FROM unnest($1::text[]) AS f`, [followers]);
    await storage.pool.query(`UPDATE users SET follower_count = 5 WHERE id = 'pa'`);
    const inserted = await storage.items.insertPublished(article('pa', 'r1'), 'test_published');
    const itemId = inserted.outcome === 'inserted' ? inserted.itemId : '';
    const plan = { itemId, authorId: 'pa', member: `${itemId}|1|pa`, score: 12.5 };
    expect(await storage.follows.planFollowerBatches('test_fanout', plan, 2)).toBe(3);
    expect(await storage.follows.planFollowerBatches('test_fanout', plan, 2)).toBe(3);
    const batches = await jobs('test_fanout');
    expect(batches.map((j) => j.payload)).toEqual(['p1', 'p3', 'p5'].map((fromFollowerId) => ({ ...plan, fromFollowerId, limit: 2 })));
    expect(await storage.follows.batchFollowers({ itemId, authorId: 'pa', fromFollowerId: 'p3', limit: 2 })).toEqual({ itemStatus: ItemStatus.ACTIVE, followerIds: ['p3', 'p4'] });
    expect(await storage.follows.batchFollowers({ itemId: '00000000-0000-4000-8000-000000000000', authorId: 'pa', fromFollowerId: 'p5', limit: 2 })).toEqual({
      itemStatus: null,
      followerIds: ['p5'],
    });

    await storage.follows.planFollowerRanges('pa', 2, 'test_pull_batch', 'pull:pa');
    const ranges = await jobs('test_pull_batch');
    expect(ranges.map((j) => [j.payload, j.queue, j.key])).toEqual([
      [{ authorId: 'pa', fromFollowerId: 'p1', toFollowerId: 'p3' }, 'pull:pa', 'pull-batch:pa:p1'],
      [{ authorId: 'pa', fromFollowerId: 'p3', toFollowerId: 'p5' }, 'pull:pa', 'pull-batch:pa:p3'],
      [{ authorId: 'pa', fromFollowerId: 'p5', toFollowerId: null }, 'pull:pa', 'pull-batch:pa:p5'],
    ]);
    expect(await storage.follows.followerRange('pa', 'p3', 'p5')).toEqual({ followerCount: 5, followerIds: ['p3', 'p4'] });
    expect(await storage.follows.followerRange('pa', 'p5', null)).toEqual({ followerCount: 5, followerIds: ['p5'] });
    expect(await storage.follows.followerRange('ghost', 'a', null)).toEqual({ followerCount: null, followerIds: [] });
  });
});

describe('EngagementRepository and UsersRepository', () => {
  it('stores a batch once, rejects unknown and deleted ids, and returns what it changed', async () => {
    await insertUsers(['ea', 'eb']);
    const live = await storage.items.insertPublished(article('ea', 'r1'), 'test_published');
    const gone = await storage.items.insertPublished(article('ea', 'r2'), 'test_published');
    const liveId = live.outcome === 'inserted' ? live.itemId : '';
    const goneId = gone.outcome === 'inserted' ? gone.itemId : '';
    await storage.items.deleteActive(goneId, 'ea', 'test_deleted');
    const event = (index: number, userId: string, itemId: string, type: number) => ({ index, userId, itemId, type, occurredAtMs: 1_700_000_000_000 + index, dwellMs: null });
    const batch = [event(0, 'eb', liveId, 2), event(1, 'eb', liveId, 1), event(2, 'ghost', liveId, 1), event(3, 'eb', goneId, 1), event(4, 'eb', '00000000-0000-4000-8000-000000000000', 1)];
    const stored = await storage.engagement.store(batch);
    expect(stored).toMatchObject({ accepted: 2, duplicates: 0 });
    expect(stored.rejections.sort((a, b) => a.index - b.index)).toEqual([
      { index: 2, field: 'user_id', reason: 'user does not exist' },
      { index: 3, field: 'item_id', reason: 'item was deleted' },
      { index: 4, field: 'item_id', reason: 'item does not exist' },
    ]);
    expect(stored.stats).toEqual([expect.objectContaining({ itemId: liveId, kind: 1, authorId: 'ea', views: 1, likes: 1, shares: 0, hides: 0, clicks: 0 })]);
    expect(stored.authorAffinities).toEqual([['eb', 'ea', '0.06']]);
    expect(stored.kindAffinities).toEqual([['eb', 1, '0.06']]);
    expect(await storage.engagement.store(batch.slice(0, 2))).toMatchObject({ accepted: 0, duplicates: 2, stats: [] });
    expect(await storage.engagement.store([])).toMatchObject({ accepted: 0, duplicates: 0 });

    const limits = { maxAuthorAffinities: 10, maxTopics: 5, pullThreshold: 1, maxPulledAuthors: 5 };
    expect((await storage.users.readModel('eb', limits))?.model).toEqual({
      authorAffinity: new Map([['ea', 0.06]]),
      kindAffinity: new Map([[1, 0.06]]),
      interests: [],
      pulledAuthors: [],
    });
    expect(await storage.users.readModel('ghost', limits)).toBeUndefined();
    expect(await storage.users.firstIds(2)).toEqual(['ea', 'eb']);
  });

  it('showLessMany stores a batch of marks in one statement and their hash fields; a repeated request id keeps the stored end', async () => {
    await insertUsers(['sa', 'sb']);
    const { viewerPreferences, redis } = storage;
    await viewerPreferences.showLessMany([
      { userId: 'sa', scope: 'item', targetId: 'i-1', untilMs: 2_000_000_000_000, requestId: 'hide:1' },
      { userId: 'sa', scope: 'item', targetId: 'i-2', untilMs: 2_000_000_001_000, requestId: 'hide:2' },
      { userId: 'sb', scope: 'item', targetId: 'i-1', untilMs: 2_000_000_002_000, requestId: 'hide:3' },
    ]);
    expect(await redis.hgetall(redisKeys.viewerPreferences('sa'))).toMatchObject({ 'less-item:i-1': '2000000000000', 'less-item:i-2': '2000000001000' });
    expect(await redis.hget(redisKeys.viewerPreferences('sb'), 'less-item:i-1')).toBe('2000000002000');
    // The same HIDE again (a retried batch) keeps its end; a new one renews it.
    await viewerPreferences.showLessMany([
      { userId: 'sa', scope: 'item', targetId: 'i-1', untilMs: 2_100_000_000_000, requestId: 'hide:1' },
      { userId: 'sb', scope: 'item', targetId: 'i-1', untilMs: 2_100_000_000_000, requestId: 'hide:9' },
    ]);
    expect(await redis.hget(redisKeys.viewerPreferences('sa'), 'less-item:i-1')).toBe('2000000000000');
    expect(await redis.hget(redisKeys.viewerPreferences('sb'), 'less-item:i-1')).toBe('2100000000000');
    const { rows } = await storage.pool.query<{ n: number }>("SELECT count(*)::int AS n FROM user_show_less WHERE user_id IN ('sa', 'sb')");
    expect(rows[0]!.n).toBe(3);
    await viewerPreferences.showLessMany([]);
  });

  it('storeEvents stores and queues only; rollUpQueued moves the counters once per event, concurrent rollups never sharing one', async () => {
    await insertUsers(['qa', 'qb']);
    const item = await storage.items.insertPublished(article('qa', 'q1'), 'test_published');
    const itemId = item.outcome === 'inserted' ? item.itemId : '';
    const event = (index: number, type: number) => ({ index, userId: 'qb', itemId, type, occurredAtMs: 1_700_000_100_000 + index, dwellMs: null });
    const batch = Array.from({ length: 60 }, (_, i) => event(i, i % 2 === 0 ? 1 : 2));
    expect(await storage.engagement.storeEvents(batch)).toMatchObject({ accepted: 60, duplicates: 0, rejections: [], stats: [] });
    // Duplicates are neither stored nor queued again; an unknown user is rejected as in `store`.
    expect(await storage.engagement.storeEvents([...batch.slice(0, 10), { ...event(60, 1), userId: 'ghost' }])).toMatchObject({
      accepted: 0,
      duplicates: 10,
      rejections: [{ index: 60, field: 'user_id', reason: 'user does not exist' }],
    });
    expect(await storage.engagement.pendingRollup()).toBe(60);
    const { rows: none } = await storage.pool.query('SELECT * FROM item_stats WHERE item_id = $1', [itemId]);
    expect(none).toEqual([]);

    // Four rollups of 10 at once, then the rest: each event counted by exactly one of them.
    const rolled = await Promise.all([1, 2, 3, 4].map(() => storage.engagement.rollUpQueued(10)));
    expect(rolled.map((r) => r.rolled).reduce((a, b) => a + b)).toBe(40);
    expect((await storage.engagement.rollUpQueued(1_000)).rolled).toBe(20);
    const empty = await storage.engagement.rollUpQueued(1_000);
    expect(empty).toEqual({ rolled: 0, oldestQueuedMs: null, stats: [], authorAffinities: [], kindAffinities: [] });
    const { rows } = await storage.pool.query('SELECT views::int, likes::int FROM item_stats WHERE item_id = $1', [itemId]);
    expect(rows).toEqual([{ views: 30, likes: 30 }]);
    const last = rolled.at(-1)!;
    expect(last.oldestQueuedMs).toBeGreaterThan(Date.now() - 60_000);
    expect(last.stats).toEqual([expect.objectContaining({ itemId, authorId: 'qa' })]);
    expect(await storage.engagement.pendingRollup()).toBe(0);
  });
});

describe('OutboxRepository', () => {
  it('renews and releases leases, unlocks orphaned jobs and reschedules failed ones', async () => {
    const { outbox } = storage;
    expect(await outbox.renewLeasesAndSweep(['w1'], 'i1', 60_000)).toEqual([]);
    expect((await storage.pool.query(`SELECT worker_id, instance FROM ingest_worker_leases`)).rows).toEqual([{ worker_id: 'w1', instance: 'i1' }]);
    await outbox.releaseLeases(['w1']);
    expect((await storage.pool.query(`SELECT count(*)::int AS n FROM ingest_worker_leases`)).rows[0].n).toBe(0);

    // A job locked long ago by a worker without a lease is freed by the next sweep.
    await storage.pool.query(`SELECT graphile_worker.add_job('test_orphan', '{}'::json)`);
    await storage.pool.query(`UPDATE graphile_worker._private_jobs SET locked_by = 'dead', locked_at = now() - interval '1 hour'`);
    expect(await outbox.renewLeasesAndSweep(['w1'], 'i1', 1_000)).toEqual(['dead']);
    expect((await storage.pool.query(`SELECT count(*)::int AS n FROM graphile_worker.jobs WHERE locked_by IS NOT NULL`)).rows[0].n).toBe(0);
    await storage.pool.query(`UPDATE graphile_worker._private_jobs SET locked_by = 'gone', locked_at = now()`);
    await outbox.unlockWorkers(['gone']);
    await outbox.unlockWorkers([]);
    expect((await storage.pool.query(`SELECT count(*)::int AS n FROM graphile_worker.jobs WHERE locked_by IS NOT NULL`)).rows[0].n).toBe(0);

    await storage.pool.query(`UPDATE graphile_worker._private_jobs SET attempts = 1, run_at = now() + interval '1 hour'`);
    expect(await outbox.rescheduleFailedJobs()).toBeGreaterThan(0);
    expect(await outbox.rescheduleFailedJobs()).toBe(0);
  });
});

describe('TimelinesRepository', () => {
  const item = { id: '00000000-0000-4000-8000-0000000000a1', kind: 1, authorId: 'ta', createdAtMs: 1_000, topics: ['go', 'rust'], stats: { views: 0, likes: 0, shares: 0, hides: 0 } };
  const member = memberOf(item);

  it('indexes, re-indexes and unindexes an item in every zset it belongs to', async () => {
    const { timelines, redis } = storage;
    await redis.set(redisKeys.renderedCard(item.id), 'card');
    await timelines.index(item);
    for (const key of [redisKeys.authorRecent('ta'), redisKeys.topicRecent('go'), redisKeys.topicRecent('rust'), redisKeys.trending(1), redisKeys.freshItems()]) {
      expect(await redis.zscore(key, member), key).not.toBeNull();
    }
    expect(await timelines.authorRecent('ta', 5)).toEqual([{ member, score: 1_000 }]);
    await timelines.reindexEdited({ ...item, topics: ['go'] }, ['go', 'rust']);
    expect(await redis.zscore(redisKeys.topicRecent('rust'), member)).toBeNull();
    expect(await redis.exists(redisKeys.renderedCard(item.id))).toBe(0);
    await timelines.unindex({ ...item, topics: ['go'] });
    expect(await timelines.authorRecent('ta', 5)).toEqual([]);
    expect(await redis.zscore(redisKeys.freshItems(), member)).toBeNull();
  });

  /** Home timelines that exist, as an active user's do (a rebuild writes the placeholder). */
  async function activeHomes(userIds: readonly string[]): Promise<void> {
    const pipeline = storage.redis.pipeline();
    for (const userId of userIds) pipeline.zadd(redisKeys.homeTimeline(userId), 0, HOME_TIMELINE_PLACEHOLDER);
    await pipeline.exec();
  }

  it('pushes to and removes from home timelines, and finds an author entries there', async () => {
    const { timelines, redis } = storage;
    const other = memberOf({ id: '00000000-0000-4000-8000-0000000000b2', kind: 2, authorId: 'tb' });
    await activeHomes(['h1', 'h2']);
    expect(await timelines.pushToHomes(['h1', 'h2'], [{ member, score: 1 }, { member: other, score: 2 }])).toBe(2);
    expect(await redis.zrange(redisKeys.homeTimeline('h2'), '0', '-1')).toEqual([HOME_TIMELINE_PLACEHOLDER, member, other]);
    await redis.zadd(redisKeys.homeTimeline('h1'), 3, 'garbage');
    expect(await timelines.homeMembersOfAuthor('h1', 'ta')).toEqual([member]);
    await timelines.removeFromHomes(['h1', 'h2'], [member]);
    expect(await redis.zrange(redisKeys.homeTimeline('h2'), '0', '-1')).toEqual([HOME_TIMELINE_PLACEHOLDER, other]);
    expect(await timelines.pushToHomes([], [{ member, score: 1 }])).toBe(0);
  });

  it('skips the home timelines that do not exist (inactive users: theirs expired), writing the others', async () => {
    const { timelines, redis } = storage;
    const users = Array.from({ length: 1_100 }, (_, i) => `act${i}`);
    const active = users.filter((_, i) => i % 3 === 0);
    await activeHomes(active);
    expect(await timelines.pushToHomes(users, [{ member, score: 9 }])).toBe(active.length);
    const pipeline = redis.pipeline();
    for (const user of users) pipeline.exists(redisKeys.homeTimeline(user));
    const exists = (await pipeline.exec())!.map(([, n]) => n);
    expect(exists.filter((n) => n === 1)).toHaveLength(active.length);
    expect(users.filter((_, i) => exists[i] === 1)).toEqual(active);
  });

  it('rebuilds a home timeline with the placeholder and the inactivity TTL; a read renews the TTL and tells a missing timeline', async () => {
    const { timelines, redis } = storage;
    const key = redisKeys.homeTimeline('returning');
    expect(await readHomeTimeline(redis, 'returning', 10, 60)).toEqual({ entries: [], exists: false });
    expect(await redis.exists(key)).toBe(0);
    await timelines.rebuildHome('returning', [{ member, score: 7 }], 60);
    expect(await redis.zrange(key, '0', '-1')).toEqual([HOME_TIMELINE_PLACEHOLDER, member]);
    expect(await redis.ttl(key)).toBeGreaterThan(55);
    const read = await readHomeTimeline(redis, 'returning', 10, 3_600);
    expect(read.exists).toBe(true);
    expect(read.entries.map((e) => e.score)).toEqual([7]);
    expect(await redis.ttl(key)).toBeGreaterThan(3_500);
    // Followed nobody: the placeholder alone keeps the key, so the next read does not rebuild.
    await timelines.rebuildHome('loner', [], 60);
    expect(await readHomeTimeline(redis, 'loner', 10, 60)).toEqual({ entries: [], exists: true });
  });

  it('pushes to more timelines than one script holds, and more entries than one unpack, each timeline trimmed to its bound keeping the newest', async () => {
    const { timelines, redis } = storage;
    // 1,200 followers: three scripts; each gets the entry.
    const followers = Array.from({ length: 1_200 }, (_, i) => `fan${i}`);
    await activeHomes([...followers, 'backfilled']);
    expect(await timelines.pushToHomes(followers, [{ member, score: 5 }])).toBe(followers.length);
    const pipeline = redis.pipeline();
    for (const follower of followers) pipeline.zscore(redisKeys.homeTimeline(follower), member);
    expect((await pipeline.exec())!.filter(([, score]) => score === '5')).toHaveLength(followers.length);
    // A backfill of TIMELINE_MAX_LENGTH + 400 entries into one timeline: more pairs than one
    // unpack takes, and over the bound, so only the newest TIMELINE_MAX_LENGTH stay.
    const entries = Array.from({ length: TIMELINE_MAX_LENGTH + 400 }, (_, i) => ({ member: `m${i}`, score: i + 1 }));
    await timelines.pushToHomes(['backfilled'], entries);
    const key = redisKeys.homeTimeline('backfilled');
    expect(await redis.zcard(key)).toBe(TIMELINE_MAX_LENGTH);
    expect(await redis.zrange(key, '0', '0')).toEqual(['m400']);
    expect(await redis.zrevrange(key, '0', '0')).toEqual([`m${TIMELINE_MAX_LENGTH + 399}`]);
    // Under the bound nothing is trimmed.
    await timelines.pushToHomes(['fan0'], [{ member: memberOf({ id: '00000000-0000-4000-8000-0000000000b3', kind: 2, authorId: 'tb' }), score: 6 }]);
    expect(await redis.zcard(redisKeys.homeTimeline('fan0'))).toBe(3);
  });

  it('lists the pushed authors a user follows, most recently followed first, without the pulled ones', async () => {
    const { pool, follows } = storage;
    await pool.query(`INSERT INTO users (id, handle, display_name, follower_count) VALUES
      ('pf-reader', 'pf-reader', 'r', 0), ('pf-small1', 'pf-small1', 's', 3), ('pf-small2', 'pf-small2', 's', 10), ('pf-star', 'pf-star', 's', 11)`);
    await pool.query(`INSERT INTO follows (follower_id, followee_id, created_at) VALUES
      ('pf-reader', 'pf-small1', now() - interval '2 days'), ('pf-reader', 'pf-star', now() - interval '1 day'), ('pf-reader', 'pf-small2', now())`);
    expect(await follows.pushedFollowees('pf-reader', 10, 10)).toEqual(['pf-small2', 'pf-small1']);
    expect(await follows.pushedFollowees('pf-reader', 10, 1)).toEqual(['pf-small2']);
    expect(await follows.pushedFollowees('pf-nobody', 10, 10)).toEqual([]);
  });

  it('rescores trending items by kind', async () => {
    const { timelines, redis } = storage;
    const a = { itemId: '00000000-0000-4000-8000-0000000000c1', kind: 3, authorId: 'tc', createdAtMs: 0, views: 100, likes: 0, shares: 0, hides: 0 };
    const b = { ...a, itemId: '00000000-0000-4000-8000-0000000000c2', views: 1 };
    expect(await timelines.bumpTrending([a, b])).toBe(true);
    expect(await redis.zrevrange(redisKeys.trending(3), 0, -1)).toEqual([memberOf({ id: a.itemId, kind: 3, authorId: 'tc' }), memberOf({ id: b.itemId, kind: 3, authorId: 'tc' })]);
    expect(await timelines.bumpTrending([])).toBe(true);
  });
});

describe('storeFailureKind', () => {
  it('tells availability failures and collisions from other errors', () => {
    const withCode = (code: string) => Object.assign(new Error('x'), { code });
    expect(storeFailureKind(withCode('08006'))).toBe('unavailable');
    expect(storeFailureKind(withCode('57014'))).toBe('unavailable');
    expect(storeFailureKind(new Error('Connection terminated unexpectedly'))).toBe('unavailable');
    expect(storeFailureKind(withCode('40P01'))).toBe('aborted');
    expect(storeFailureKind(withCode('42601'))).toBeUndefined();
    expect(storeFailureKind('not an error')).toBeUndefined();
  });

  it('leaves repositories usable over any pool', () => {
    expect(Object.keys(createRepositories(storage.pool, storage.redis)).sort()).toEqual(['engagement', 'follows', 'items', 'outbox', 'publishClaims', 'timelines', 'users', 'viewerPreferences']);
  });
});

describe('PublishClaimsRepository', () => {
  it('claims once, answers a finished claim, and releases only a pending one', async () => {
    const claims = storage.publishClaims;
    expect(await claims.claim('ca', 'r1')).toEqual({ state: 'claimed' });
    expect(await claims.claim('ca', 'r1')).toEqual({ state: 'unknown' });
    await claims.release('ca', 'r1');
    expect(await claims.claim('ca', 'r1')).toEqual({ state: 'claimed' });
    await claims.complete('ca', 'r1', 'item-1', 'digest-1');
    await claims.release('ca', 'r1');
    expect(await claims.claim('ca', 'r1')).toEqual({ state: 'done', itemId: 'item-1', digest: 'digest-1' });
    expect(await storage.redis.ttl(redisKeys.publishClaim('ca', 'r1'))).toBeGreaterThan(0);
  });
});

describe('read-model writes', () => {
  it('applies a rollup to item records and user hashes, and sets or drops a pulled author', async () => {
    const { redis } = storage;
    const itemId = '00000000-0000-4000-8000-0000000000d1';
    const stats = [{ itemId, kind: 1, authorId: 'ra', createdAtMs: 5, views: 3, likes: 1, shares: 0, hides: 0, clicks: 2 }];
    await writeEngagementRollup(redis, stats, [['rb', 'ra', '0.25']], [['rb', 1, '0.5']]);
    expect((await readItemRecords(redis, [itemId])).get(itemId)).toEqual({ status: 'active', createdAtMs: 5, views: 3, likes: 1, shares: 0, hides: 0 });
    expect(await redis.hmget(userReadModelKey('rb'), userFields.author('ra'), userFields.kind(1))).toEqual(['0.25', '0.5']);
    // Updates never make a hash complete: only a snapshot sets the presence field.
    expect(await userReadModelPresent(redis, 'rb')).toBe(false);

    await writePulledAuthor(redis, ['rb', 'rc'], 'big', 20_000);
    expect(await redis.hget(userReadModelKey('rc'), userFields.pulled('big'))).toBe('20000');
    await writePulledAuthor(redis, ['rb', 'rc'], 'big', undefined);
    expect(await redis.hexists(userReadModelKey('rc'), userFields.pulled('big'))).toBe(0);
  });
});
