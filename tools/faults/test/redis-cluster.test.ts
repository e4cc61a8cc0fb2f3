// The mesh on a real Redis Cluster (3 masters, a replica each; REDIS_CLUSTER_NODES), under read
// and write load, while one master is killed (-9) and its replica takes over: pages and publishes
// before, what they answer during the failover and how soon pages are whole again, and that every
// acknowledged publish is stored and fanned out (author's recent items, a follower's home timeline).
import { randomBytes } from 'node:crypto';
import { FeedService, IngestService, ItemKind } from '@feedmesh/contracts';
import { seed } from '@feedmesh/seed';
import { createPgPool, createRedis, dropDatabase, encodeTimelineMember, redisKeys, waitForRedis, type RedisClient } from '@feedmesh/storage';
import type { Cluster } from 'ioredis';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  clientOf,
  closedLoop,
  copyKeysIntoCluster,
  describeCalls,
  endedBefore,
  FaultMesh,
  firstPageCall,
  inFlightAt,
  isHealthy,
  now,
  openLoop,
  outcomeCounts,
  percentile,
  recoveryAfter,
  SEEDED_USERS,
  settle,
  sleep,
  startedBetween,
  startRedisCluster,
  startRedisServer,
  WriteLedger,
  type CallRecord,
  type FaultClient,
  type RedisCluster,
} from '../src/index.js';

/** A node silent this long is failed over (Redis' default is 15 s; clusters serving feeds run lower). */
const NODE_TIMEOUT_MS = 1_000;
const AFTER_MS = 6_000;
/** Pages whole again this soon after the replica serves as master (ioredis refreshes its slot map on the first MOVED or refused connection). */
const RECOVERY_LIMIT_MS = 2_000;
const CATCH_UP_MS = 20_000;
/** A command stalled on a lost master costs its 1 s timeout (REDIS_DEFAULTS.commandTimeoutMs); a refusal comes far sooner. */
const FAIL_FAST_LIMIT_MS = 300;

const databaseUrl = `postgres://postgres@127.0.0.1:5432/feedmesh_test_faults_cluster_${randomBytes(4).toString('hex')}`;
const users = Array.from({ length: SEEDED_USERS }, (_, i) => `u${i + 1}`);
let cluster: RedisCluster;
let clusterClient: Cluster;
let copiedKeys: number;
let pool: pg.Pool;
let mesh: FaultMesh | undefined;
let feed: FaultClient<typeof FeedService>;
let ingest: FaultClient<typeof IngestService>;
const ledger = new WriteLedger();
let pages: CallRecord[];
let writes: CallRecord[];
let killedAt: number;
let promotedAt: number;
let killedPort: number;

beforeAll(async () => {
  cluster = await startRedisCluster({ nodeTimeoutMs: NODE_TIMEOUT_MS });
  clusterClient = cluster.client();
  // The seed writes one Redis: seed a standalone server of the test's own, then move its keys.
  const standalone = await startRedisServer();
  try {
    await seed({ databaseUrl, redisUrl: standalone.url, users: SEEDED_USERS, items: 2_000, seed: 17, days: 3, timelineLength: 400, nowMs: Date.now() - 60_000 });
    copiedKeys = await copyKeysIntoCluster(standalone.url, clusterClient);
  } finally {
    await standalone.destroy();
  }
  pool = createPgPool({ connectionString: databaseUrl, max: 2 });
  const onCluster = { REDIS_CLUSTER_NODES: cluster.nodes };
  mesh = await FaultMesh.start({
    databaseUrl,
    // Ignored when REDIS_CLUSTER_NODES is set; a port where nothing listens shows it is.
    redisUrl: 'redis://127.0.0.1:1',
    apps: ['recall', 'ranking', 'render', 'aggregator', 'ingest'],
    env: { recall: onCluster, ranking: onCluster, render: onCluster, aggregator: onCluster, ingest: onCluster },
  });
  feed = clientOf(FeedService, mesh.address('aggregator'), 'grpc');
  ingest = clientOf(IngestService, mesh.address('ingest'), 'grpc');

  const warm = closedLoop(firstPageCall(feed, users, 2_000), { concurrency: 2 });
  await sleep(2_000);
  await warm.stop();
  await settle(firstPageCall(feed, users, 2_000));
  const read = closedLoop(firstPageCall(feed, users, 2_000), { concurrency: 3, pauseMs: 50 });
  const write = openLoop(ledger.publishCall(ingest, users.slice(0, 10)), { rate: 5 });
  await sleep(3_000);
  // The master of u1's keys: a third of the users' timelines and read models live on it.
  const masters = await cluster.masters();
  const slot = Number(await clusterClient.call('CLUSTER', 'KEYSLOT', redisKeys.homeTimeline('u1')));
  killedPort = masters.find((m) => m.slots.split(' ').some((range) => {
    const [from, to = from] = range.split('-').map(Number);
    return slot >= from! && slot <= to!;
  }))!.port;
  const replica = await cluster.replicaOf(killedPort);
  killedAt = await cluster.kill(killedPort);
  promotedAt = await cluster.waitForPromotion(replica, 20_000);
  await sleep(AFTER_MS);
  [pages, writes] = await Promise.all([read.stop(), write.stop()]);
  const recovery = recoveryAfter(pages, killedAt);
  const failures = startedBetween(pages, killedAt, Infinity).filter((r) => r.code !== 'OK');
  const windowMs = failures.length ? Math.max(...failures.map((r) => r.endMs)) - killedAt : 0;
  console.log(
    `[faults] redis cluster: ${copiedKeys} keys on 3 masters; GetFeed before ${JSON.stringify(outcomeCounts(endedBefore(pages, killedAt)))}; ` +
      `master ${killedPort} killed, replica ${replica} promoted after ${Math.round(promotedAt - killedAt)} ms ` +
      `${JSON.stringify(outcomeCounts([...inFlightAt(pages, killedAt), ...startedBetween(pages, killedAt, promotedAt)]))}; after ${JSON.stringify(outcomeCounts(startedBetween(pages, promotedAt, Infinity)))}; ` +
      `refusals (${failures.length}) ended ${Math.round(windowMs)} ms after the kill; whole pages again ${recovery.recoveryMs === Infinity ? 'never' : `${Math.round(recovery.recoveryMs)} ms`} after it ` +
      `(${recovery.unhealthyAfter} unhealthy answers: ${JSON.stringify(outcomeCounts(startedBetween(pages, killedAt, Infinity).filter((r) => !isHealthy(r))))}). ` +
      `GetFeed during the failover p50/p90 ${[50, 90].map((p) => Math.round(percentile(startedBetween(pages, killedAt, promotedAt).map((r) => r.endMs - r.startMs), p))).join('/')} ms. ` +
      `Publish during ${JSON.stringify(outcomeCounts(startedBetween(writes, killedAt, promotedAt)))}, all ${JSON.stringify(outcomeCounts(writes))}`,
  );
}, 120_000);

afterAll(async () => {
  feed?.close();
  ingest?.close();
  await mesh?.stopAll();
  await pool?.end();
  clusterClient?.disconnect();
  await cluster?.destroy();
  await dropDatabase(databaseUrl);
});

describe('the mesh on a Redis Cluster, one master killed under load', () => {
  it('served whole pages from the cluster before the kill (the scenario is valid)', () => {
    expect(copiedKeys).toBeGreaterThan(100);
    const before = endedBefore(pages, killedAt);
    expect(before.length).toBeGreaterThanOrEqual(5);
    expect(before.filter(isHealthy).length / before.length, describeCalls(before)).toBeGreaterThanOrEqual(0.8);
    const writesBefore = endedBefore(writes, killedAt);
    expect(writesBefore.filter((r) => r.code === 'OK').length, describeCalls(writesBefore)).toBeGreaterThan(0);
  });

  it('GetFeed answers a page (degraded allowed) or Unavailable during the failover, never Internal', () => {
    const during = [...inFlightAt(pages, killedAt), ...startedBetween(pages, killedAt, promotedAt)];
    const wrong = during.filter((r) => r.code !== 'OK' && r.code !== 'Unavailable');
    expect(wrong.length, describeCalls(wrong)).toBe(0);
  });

  it(`GetFeed answers OK again within ${RECOVERY_LIMIT_MS} ms of the replica's promotion: the refusals are the failover's`, () => {
    const failures = startedBetween(pages, killedAt, Infinity).filter((r) => r.code !== 'OK');
    const lastFailureMs = Math.max(killedAt, ...failures.map((r) => r.startMs));
    expect(lastFailureMs - promotedAt, describeCalls(failures)).toBeLessThanOrEqual(RECOVERY_LIMIT_MS);
  });

  it('after that, pages are whole (≥ 90 %: a stray stage deadline on the busy box is not the failover)', () => {
    const after = startedBetween(pages, promotedAt + RECOVERY_LIMIT_MS, Infinity);
    expect(after.length).toBeGreaterThan(10);
    expect(after.filter(isHealthy).length / after.length, describeCalls(after)).toBeGreaterThanOrEqual(0.9);
  });

  it('Publish is acknowledged or refused cleanly (Unavailable, ResourceExhausted), never Internal', () => {
    const wrong = writes.filter((r) => !['OK', 'Unavailable', 'ResourceExhausted'].includes(r.code));
    expect(wrong.length, describeCalls(wrong)).toBe(0);
    expect(writes.filter((r) => r.code === 'OK').length).toBe(ledger.publishes.length);
  });

  it('every acknowledged publish is in Postgres', async () => {
    expect(ledger.publishes.length).toBeGreaterThan(0);
    expect(await ledger.missingPublishes(pool)).toEqual([]);
  });

  it(`every acknowledged publish reaches its author's recent items on the cluster within ${CATCH_UP_MS / 1000} s`, async () => {
    const { missing, tookMs } = await ledger.waitForOutbox(clusterClient, CATCH_UP_MS);
    console.log(`[faults] redis cluster: outbox ${missing.length === 0 ? `caught up ${Math.round(tookMs)} ms after the load stopped` : `still missing ${missing.length} of ${ledger.publishes.length}`}`);
    expect(missing.length, `${missing.length} of ${ledger.publishes.length} acknowledged publishes not applied to the cluster`).toBe(0);
  }, CATCH_UP_MS + 10_000);

  it("every acknowledged publish is fanned out into its authors' followers' home timelines on the cluster", async () => {
    const { rows } = await pool.query<{ followee_id: string; follower_id: string }>(
      'SELECT DISTINCT ON (followee_id) followee_id, follower_id FROM follows WHERE followee_id = ANY($1::text[]) ORDER BY followee_id, follower_id',
      [[...new Set(ledger.publishes.map((p) => p.authorId))]],
    );
    const followerOf = new Map(rows.map((r) => [r.followee_id, r.follower_id]));
    const deadline = now() + CATCH_UP_MS;
    let missing: string[];
    do {
      missing = [];
      for (const p of ledger.publishes) {
        const follower = followerOf.get(p.authorId);
        if (!follower) continue;
        const member = encodeTimelineMember({ id: p.itemId, kind: ItemKind.ARTICLE, authorId: p.authorId });
        if ((await clusterClient.zscore(redisKeys.homeTimeline(follower), member)) === null) missing.push(`${p.requestId} → ${follower}`);
      }
      if (missing.length > 0) await sleep(250);
    } while (missing.length > 0 && now() < deadline);
    expect(followerOf.size, 'the publishing authors have followers').toBeGreaterThan(0);
    expect(missing, 'publishes missing from a follower\'s home timeline').toEqual([]);
  }, CATCH_UP_MS + 10_000);
});

// The storage client alone, on a second failover (another master, its replica still there): what
// each command on the lost slots costs while the cluster fails over, without the mesh's load.
describe("the storage client's commands on a lost master's slots", () => {
  const attempts: { startMs: number; tookMs: number; ok: boolean; error?: string }[] = [];
  let client: RedisClient;
  let key: string;
  let secondKilledAt: number;
  let secondPromotedAt: number;

  beforeAll(async () => {
    client = createRedis({ clusterNodes: cluster.ports.map((port) => ({ host: '127.0.0.1', port })) });
    await waitForRedis(client);
    // A user whose master still has its replica (the one promoted before has none).
    const masters = await cluster.masters();
    const masterOf = async (candidate: string) => {
      const slot = Number(await client.call('CLUSTER', 'KEYSLOT', candidate));
      return masters.find((m) => m.slots.split(' ').some((range) => {
        const [from, to = from] = range.split('-').map(Number);
        return slot >= from! && slot <= to!;
      }))!;
    };
    let master: { port: number } | undefined;
    let replica: number | undefined;
    for (const user of users) {
      key = redisKeys.homeTimeline(user);
      master = await masterOf(key);
      replica = await cluster.replicaOf(master.port).catch(() => undefined);
      if (replica !== undefined) break;
    }
    if (!master || replica === undefined) throw new Error('no master with a replica left');
    secondKilledAt = await cluster.kill(master.port);
    let promotedSeen = false;
    let promotionError: unknown;
    const promoted = cluster.waitForPromotion(replica, 20_000).then(
      (at) => ((secondPromotedAt = at), (promotedSeen = true)),
      (error: unknown) => (promotionError = error),
    );
    // One command every 50 ms until 1 s after the promotion.
    while (!promotedSeen || now() - secondPromotedAt < 1_000) {
      if (promotionError) throw promotionError;
      const startMs = now();
      try {
        await client.zcard(key);
        attempts.push({ startMs, tookMs: now() - startMs, ok: true });
      } catch (error) {
        attempts.push({ startMs, tookMs: now() - startMs, ok: false, error: (error as Error).message });
      }
      await sleep(50);
    }
    await promoted;
    const failed = attempts.filter((a) => !a.ok);
    console.log(
      `[faults] redis cluster, client alone: master killed, replica promoted after ${Math.round(secondPromotedAt - secondKilledAt)} ms; ` +
        `${failed.length} failed commands (slowest ${Math.round(Math.max(0, ...failed.map((a) => a.tookMs)))} ms), first success ${Math.round((attempts.find((a) => a.ok && a.startMs > secondKilledAt)?.startMs ?? NaN) - secondKilledAt)} ms after the kill`,
    );
  }, 60_000);

  afterAll(() => client?.disconnect());

  it(`fail within ${FAIL_FAST_LIMIT_MS} ms while the master is down (never stall until the command timeout)`, () => {
    const failed = attempts.filter((a) => !a.ok);
    expect(failed.length, 'the kill was seen by the client (the scenario is valid)').toBeGreaterThan(0);
    const slow = failed.filter((a) => a.tookMs > FAIL_FAST_LIMIT_MS);
    expect(slow.map((a) => `${Math.round(a.tookMs)} ms: ${a.error}`)).toEqual([]);
  });

  it('succeed again within 500 ms of the promotion (the slot map is refreshed by the first redirect)', () => {
    const lastFailure = Math.max(secondKilledAt, ...attempts.filter((a) => !a.ok).map((a) => a.startMs + a.tookMs));
    expect(lastFailure - secondPromotedAt).toBeLessThanOrEqual(500);
    expect(attempts.filter((a) => a.startMs > secondPromotedAt + 500).every((a) => a.ok)).toBe(true);
  });
});
