import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { connect, createServer, type Server, type Socket } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { timestampFromMs } from '@bufbuild/protobuf/wkt';
import { Code } from '@connectrpc/connect';
import { EngagementType } from '@feedmesh/contracts';
import { databaseNameOf } from '@feedmesh/storage';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { articlePayload, codeOf, createTestStores, insertUsers, startIngest, waitFor, type IngestClient, type StartedIngest, type TestStores } from './fixtures.js';

// Postgres unreachable for ingest only: its DATABASE_URL points at a TCP proxy this test owns,
// which it cuts (every connection destroyed, the port refusing) and restores. Engagement sent
// meanwhile is answered `spooled` (never an error), lands in the store once it is back, exactly
// once per distinct event (a batch sent twice counts once); a full spool answers Unavailable and
// what it took before is still written; a spool survives a SIGKILL of ingest and the restarted
// process replays it. The test's own pool talks to Postgres directly and sees the truth.

const USERS = ['s1', 's2', 's3', 's4'];

/** Forwards 127.0.0.1:<port> to Postgres at 127.0.0.1:5432 until cut or silenced. */
class PostgresProxy {
  port = 0;
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  private silent = false;

  async start(): Promise<void> {
    const server = createServer((client) => {
      this.track(client);
      // Silenced: the connection is taken and never answered, as by a host that vanished.
      if (this.silent) return;
      const upstream = connect(5432, '127.0.0.1');
      this.track(upstream);
      for (const socket of [client, upstream]) {
        socket.on('error', () => {
          client.destroy();
          upstream.destroy();
        });
      }
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.port = (server.address() as { port: number }).port;
    this.server = server;
  }

  private track(socket: Socket): void {
    this.sockets.add(socket);
    socket.on('close', () => this.sockets.delete(socket));
  }

  /** Postgres "goes away": open connections reset, new ones refused. */
  async cut(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    const closed = new Promise((resolve) => server.close(resolve));
    for (const socket of this.sockets) socket.destroy();
    await closed;
  }

  /** Postgres goes silent (a partition, no reset): nothing is forwarded any more, either way. */
  silence(): void {
    this.silent = true;
    for (const socket of this.sockets) {
      socket.unpipe();
      socket.pause();
    }
  }

  /** Back, on the same port (the silenced connections are dropped: they lost their place in the protocol). */
  async restore(): Promise<void> {
    if (this.silent) {
      this.silent = false;
      for (const socket of this.sockets) socket.destroy();
    }
    if (!this.server) await this.start();
  }

  async stop(): Promise<void> {
    if (this.server) await this.cut();
  }
}

let stores: TestStores;
const proxy = new PostgresProxy();
let proxiedUrl: string;
let itemIds: string[];
let spoolRoot: string;
let clock = Date.now() - 120_000;

interface Event {
  userId: string;
  itemId: string;
  type: EngagementType;
  occurredAtMs: number;
}

/** `size` events, each (user, item, type, time) new. */
function batch(size: number): Event[] {
  return Array.from({ length: size }, (_, i) => ({
    userId: USERS[i % USERS.length]!,
    itemId: itemIds[i % itemIds.length]!,
    type: i % 3 === 0 ? EngagementType.LIKE : EngagementType.VIEW,
    occurredAtMs: clock++,
  }));
}

const request = (events: Event[]) => ({ events: events.map((e) => ({ userId: e.userId, itemId: e.itemId, type: e.type, occurredAt: timestampFromMs(e.occurredAtMs), dwellMs: 100 })) });

/** What the store holds for these events: rows, and per-item view and like counters. */
async function storedCounts(): Promise<{ rows: number; views: number; likes: number }> {
  const rows = await stores.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM engagement_events');
  const stats = await stores.pool.query<{ views: number; likes: number }>('SELECT coalesce(sum(views), 0)::int AS views, coalesce(sum(likes), 0)::int AS likes FROM item_stats');
  return { rows: rows.rows[0]!.n, ...stats.rows[0]! };
}

function expectedCounts(events: Iterable<Event>): { rows: number; views: number; likes: number } {
  const distinct = new Map<string, Event>();
  for (const e of events) distinct.set(`${e.userId}|${e.itemId}|${e.type}|${e.occurredAtMs}`, e);
  const all = [...distinct.values()];
  return { rows: all.length, views: all.filter((e) => e.type === EngagementType.VIEW).length, likes: all.filter((e) => e.type === EngagementType.LIKE).length };
}

/** The value of a metric on /metrics (`name` or `name{label="value"}`: that label among the line's), NaN without one. */
async function metric(ingest: StartedIngest, name: string): Promise<number> {
  const text = await (await fetch(`http://${ingest.app.address}/metrics`)).text();
  const [base, label] = name.split(/[{}]/);
  const line = text.split('\n').find((l) => (l.startsWith(`${base} `) || l.startsWith(`${base}{`)) && (label === undefined || l.includes(label)));
  return line ? Number(line.slice(line.lastIndexOf(' ') + 1)) : NaN;
}

// No outbox workers (their pool would go through the cut proxy too), so no rollup runner: the
// counters move in the request's own statement (ENGAGEMENT_ROLLUP=sync), which is what the exact
// counts below check. The async rollup's exactness is engagement-rollup.test.ts's.
async function startProxied(extraEnv: Record<string, string> = {}, name = 'ingest'): Promise<StartedIngest> {
  return startIngest(stores, { DATABASE_URL: proxiedUrl, INGEST_RUN_WORKER: 'false', ENGAGEMENT_ROLLUP: 'sync', INGEST_SPOOL_DIR: spoolRoot, PG_POOL_MAX: '4', ...extraEnv }, { name, defaultTimeoutMs: 10_000 });
}

let ingest: StartedIngest;
let client: IngestClient;
/** Every event some call acknowledged (stored or spooled), duplicates included. */
const acknowledged: Event[] = [];

beforeAll(async () => {
  stores = await createTestStores();
  await proxy.start();
  proxiedUrl = `postgres://postgres@127.0.0.1:${proxy.port}/${databaseNameOf(stores.databaseUrl)}`;
  spoolRoot = await mkdtemp(path.join(os.tmpdir(), 'ingest-spool-test-'));
  await insertUsers(stores.pool, ['author', ...USERS]);
  ingest = await startProxied();
  client = ingest.client;
  itemIds = [];
  for (let i = 0; i < 3; i++) itemIds.push((await client.publish({ requestId: `spool-item-${i}`, authorId: 'author', payload: articlePayload(`Spool ${i}`) })).itemId);
}, 60_000);

afterAll(async () => {
  await ingest?.stop();
  await proxy.stop();
  await stores?.close();
  if (spoolRoot) await rm(spoolRoot, { recursive: true, force: true });
});

describe('engagement while Postgres is unreachable', () => {
  it('is spooled (never an error), replayed when Postgres is back, and counted exactly once', async () => {
    const before = batch(5);
    expect(await client.recordEngagement(request(before))).toMatchObject({ accepted: 5, spooled: false });
    acknowledged.push(...before);

    await proxy.cut();
    const retried = batch(7);
    const answers = [];
    for (let i = 0; i < 12; i++) {
      const events = i === 3 || i === 4 ? retried : batch(1 + (i % 5));
      answers.push(await client.recordEngagement(request(events)));
      acknowledged.push(...events);
      expect(answers.at(-1), `batch ${i}`).toMatchObject({ accepted: events.length, duplicates: 0, spooled: true });
    }
    // The JSON route: 202, spooled.
    const viaJson = batch(3);
    const response = await fetch(`http://${ingest.app.address}/v1/engagement`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ events: viaJson.map((e) => ({ user_id: e.userId, item_id: e.itemId, type: e.type === EngagementType.LIKE ? 'like' : 'view', occurred_at: new Date(e.occurredAtMs).toISOString() })) }),
    });
    expect(response.status).toBe(202);
    expect(await response.json()).toMatchObject({ accepted: 3, spooled: true });
    acknowledged.push(...viaJson);
    // Invalid records are still refused at once, spool or not.
    expect((await codeOf(client.recordEngagement({ events: [{ userId: 's1', itemId: 'not-a-uuid', type: EngagementType.LIKE, occurredAt: timestampFromMs(Date.now()) }] }))).code).toBe(Code.InvalidArgument);

    expect(await metric(ingest, 'ingest_spool_pending_records')).toBe(13);
    expect(await metric(ingest, 'ingest_spool_bytes')).toBeGreaterThan(0);
    // Still ready: a load balancer keeps sending batches to the spool.
    expect((await fetch(`http://${ingest.app.address}/readyz`)).status).toBe(200);
    expect(await storedCounts()).toEqual(expectedCounts(before));

    await proxy.restore();
    const expected = expectedCounts(acknowledged);
    expect(await waitFor(async () => (await storedCounts()).rows >= expected.rows, 20_000, 100)).toBe(true);
    expect(await waitFor(async () => (await metric(ingest, 'ingest_spool_pending_records')) === 0, 5_000, 100)).toBe(true);
    expect(await storedCounts()).toEqual(expected);
    // The batch sent twice: its second copy was a duplicate at replay.
    expect(await metric(ingest, 'ingest_spool_replayed_records_total{outcome="duplicate"}')).toBe(7);

    // Drained: the store is written directly again, and the retried batch is a duplicate.
    expect(await client.recordEngagement(request(retried))).toMatchObject({ accepted: 0, duplicates: 7, spooled: false });
    expect(await storedCounts()).toEqual(expected);
  }, 40_000);

  it('a full spool answers Unavailable (503 on the JSON route); what it took before is still written', async () => {
    const small = await startProxied({ INGEST_SPOOL_MAX_BYTES: '3000', INGEST_SPOOL_DIR: path.join(spoolRoot, 'small') }, 'ingest-small-spool');
    try {
      await proxy.cut();
      const taken: Event[] = [];
      let refused: { code: Code; message: string } | undefined;
      for (let i = 0; i < 100 && refused === undefined; i++) {
        const events = batch(4);
        try {
          expect(await small.client.recordEngagement(request(events))).toMatchObject({ accepted: 4, spooled: true });
          taken.push(...events);
        } catch {
          refused = await codeOf(small.client.recordEngagement(request(events)));
        }
      }
      expect(taken.length).toBeGreaterThan(0);
      expect(refused).toEqual({ code: Code.Unavailable, message: 'the engagement spool is unavailable' });
      // Up to the last byte: single events until one is refused too.
      for (let i = 0; i < 100; i++) {
        const events = batch(1);
        const answer = await small.client.recordEngagement(request(events)).catch(() => undefined);
        if (answer === undefined) break;
        taken.push(...events);
      }
      const viaJson = await fetch(`http://${small.app.address}/v1/engagement`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ events: [{ user_id: 's1', item_id: itemIds[0], type: 'like', occurred_at: new Date(clock++).toISOString() }] }),
      });
      expect(viaJson.status).toBe(503);
      expect(await viaJson.json()).toMatchObject({ code: 'unavailable' });
      expect(await metric(small, 'ingest_spool_appends_total{outcome="full"}')).toBeGreaterThanOrEqual(2);
      // Full and Postgres down: not ready, so a load balancer sends batches elsewhere.
      expect((await fetch(`http://${small.app.address}/readyz`)).status).toBe(503);
      acknowledged.push(...taken);

      await proxy.restore();
      const expected = expectedCounts(acknowledged);
      expect(await waitFor(async () => (await storedCounts()).rows >= expected.rows, 20_000, 100)).toBe(true);
      expect(await waitFor(async () => (await metric(small, 'ingest_spool_pending_records')) === 0, 5_000, 100)).toBe(true);
      expect(await storedCounts()).toEqual(expected);
    } finally {
      await proxy.restore();
      await small.stop();
    }
  }, 40_000);

  it('is spooled when Postgres goes silent (no reset): the client-side query timeout gives up on the connection', async () => {
    // Statements capped at 300 ms on the server, so the client waits 2.3 s for an answer.
    const silentCase = await startProxied({ PG_STATEMENT_TIMEOUT_MS: '300', INGEST_SPOOL_DIR: path.join(spoolRoot, 'silent') }, 'ingest-silent');
    try {
      const warm = batch(2);
      expect(await silentCase.client.recordEngagement(request(warm))).toMatchObject({ accepted: 2, spooled: false });
      acknowledged.push(...warm);
      proxy.silence();
      const events = batch(6);
      const started = Date.now();
      expect(await silentCase.client.recordEngagement(request(events))).toMatchObject({ accepted: 6, spooled: true });
      const waitedMs = Date.now() - started;
      acknowledged.push(...events);
      expect(waitedMs).toBeGreaterThanOrEqual(2_000);
      await proxy.restore();
      const expected = expectedCounts(acknowledged);
      expect(await waitFor(async () => (await storedCounts()).rows >= expected.rows, 20_000, 100)).toBe(true);
      expect(await waitFor(async () => (await metric(silentCase, 'ingest_spool_pending_records')) === 0, 5_000, 100)).toBe(true);
      expect(await storedCounts()).toEqual(expected);
      console.log(`spool: a silent Postgres was given up on after ${waitedMs} ms and the batch spooled`);
    } finally {
      await proxy.restore();
      await silentCase.stop();
    }
  }, 40_000);

  it('survives a SIGKILL of ingest: the restarted process replays the spool, every record once', async () => {
    await proxy.cut();
    const spooled: Event[] = [];
    for (let i = 0; i < 40; i++) {
      const events = batch(50);
      expect(await client.recordEngagement(request(events))).toMatchObject({ spooled: true });
      spooled.push(...events);
    }
    // Concurrent appends too, in flight together.
    const concurrent = Array.from({ length: 20 }, () => batch(2));
    await Promise.all(concurrent.map(async (events) => expect(await client.recordEngagement(request(events))).toMatchObject({ spooled: true })));
    spooled.push(...concurrent.flat());
    acknowledged.push(...spooled);
    const [databaseDir] = (await readdir(spoolRoot)).filter((name) => name.startsWith('feedmesh_test_'));
    expect(await readdir(path.join(spoolRoot, databaseDir!))).toEqual(['slot-0']);
    client.close();
    await ingest.app.stop('SIGKILL');

    await proxy.restore();
    const restarted = Date.now();
    ingest = await startProxied({}, 'ingest-restarted');
    client = ingest.client;
    expect(ingest.app.logs.some((line) => line.includes('engagement spool holds batches from before'))).toBe(true);
    const expected = expectedCounts(acknowledged);
    expect(await waitFor(async () => (await storedCounts()).rows >= expected.rows, 20_000, 100)).toBe(true);
    const storedAfterMs = Date.now() - restarted;
    expect(await waitFor(async () => (await metric(ingest, 'ingest_spool_pending_records')) === 0, 5_000, 100)).toBe(true);
    expect(await storedCounts()).toEqual(expected);
    console.log(`spool: ${spooled.length} events in ${40 + concurrent.length} spooled batches stored ${storedAfterMs} ms after the restart began (start-up included)`);
    // The dead process' slot was adopted, not a new one started beside it; replayed segments are gone.
    expect(await readdir(path.join(spoolRoot, databaseDir!))).toEqual(['slot-0']);
    expect((await readdir(path.join(spoolRoot, databaseDir!, 'slot-0'))).filter((name) => name.endsWith('.log'))).toEqual([]);
  }, 40_000);
});
