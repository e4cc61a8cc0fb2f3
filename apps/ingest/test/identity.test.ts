// Identity on the write side, against the real app with AUTH_MODE=jwt: who publishes, follows,
// records engagement or blocks is the token's subject; a request naming another user is
// PermissionDenied naming the field, a missing or bad token Unauthenticated, and neither writes
// anything. A service token with act_as_user writes for the user it names. The strict JSON route
// follows the same rule.
import { timestampFromMs } from '@bufbuild/protobuf/wkt';
import { Code } from '@connectrpc/connect';
import { EngagementType } from '@feedmesh/contracts';
import { mintServiceToken, mintUserToken } from '@feedmesh/identity';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { articlePayload, codeOf, createTestStores, insertUsers, startIngest, type IngestClient, type StartedIngest, type TestStores } from './fixtures.js';

const secret = 'ingest-identity-test-secret-0123456789abcdef';
let stores: TestStores;
let ingest: StartedIngest;
let client: IngestClient;
let itemId: string;
const as = async (userId: string) => ({ headers: { authorization: `Bearer ${await mintUserToken(secret, userId)}` } });
const asService = async (name: string, scopes?: string[]) => ({ headers: { authorization: `Bearer ${await mintServiceToken(secret, name, scopes)}` } });

async function count(table: string): Promise<number> {
  return Number((await stores.pool.query(`SELECT count(*)::int AS n FROM ${table}`)).rows[0].n);
}

beforeAll(async () => {
  stores = await createTestStores();
  await insertUsers(stores.pool, ['alice', 'bob', 'carol']);
  ingest = await startIngest(stores, { AUTH_MODE: 'jwt', AUTH_TOKEN_SECRET: secret });
  client = ingest.client;
  itemId = (await client.publish({ requestId: 'seed', authorId: 'alice', payload: articlePayload('Seed') }, await as('alice'))).itemId;
});

afterAll(async () => {
  await ingest?.stop();
  await stores?.close();
});

describe('IngestService with AUTH_MODE=jwt', () => {
  it('publishing as yourself works; as somebody else is PermissionDenied naming author_id, and nothing is stored', async () => {
    const items = await count('items');
    const denied = await codeOf(client.publish({ requestId: 'p1', authorId: 'bob', payload: articlePayload('Not mine') }, await as('alice')));
    expect(denied).toEqual({ code: Code.PermissionDenied, message: 'author_id: user alice may only act as itself, not as "bob"' });
    expect(await codeOf(client.publish({ requestId: 'p1', authorId: 'bob', payload: articlePayload('No token') }))).toMatchObject({ code: Code.Unauthenticated });
    expect(await count('items')).toBe(items);
    await client.publish({ requestId: 'p1', authorId: 'bob', payload: articlePayload('Mine') }, await as('bob'));
    expect(await count('items')).toBe(items + 1);
  });

  it('follow, block and show-less act for the token\'s user only', async () => {
    const alice = await as('alice');
    expect((await codeOf(client.follow({ followerId: 'bob', followeeId: 'carol' }, alice))).message).toMatch(/^follower_id: /);
    expect((await codeOf(client.block({ userId: 'bob', targetUserId: 'carol' }, alice))).message).toMatch(/^user_id: /);
    expect((await codeOf(client.showLess({ userId: 'bob', itemId, requestId: 'sl1' }, alice))).message).toMatch(/^user_id: /);
    expect(await count('follows')).toBe(0);
    expect(await count('user_blocks')).toBe(0);
    await client.follow({ followerId: 'alice', followeeId: 'carol' }, alice);
    expect(await count('follows')).toBe(1);
  });

  it('an engagement batch naming another user anywhere is refused whole, naming the event; a BFF service token records for anyone', async () => {
    const now = Date.now();
    const event = (userId: string, i: number) => ({ userId, itemId, type: EngagementType.LIKE, occurredAt: timestampFromMs(now - i * 1_000) });
    const mixed = { events: [event('alice', 1), event('bob', 2), event('alice', 3)] };
    const denied = await codeOf(client.recordEngagement(mixed, await as('alice')));
    expect(denied).toEqual({ code: Code.PermissionDenied, message: 'events[1].user_id: user alice may only act as itself, not as "bob"' });
    expect(await count('engagement_events')).toBe(0);

    expect(await codeOf(client.recordEngagement(mixed, await asService('metrics-job', ['read_metrics'])))).toMatchObject({ code: Code.PermissionDenied, message: expect.stringMatching(/needs scope act_as_user/) });
    const stored = await client.recordEngagement(mixed, await asService('bff'));
    expect(stored.accepted).toBe(3);
    expect(await count('engagement_events')).toBe(3);
  });

  it('the JSON engagement route: 401 without a token, 403 naming the event for another user, 200 for your own', async () => {
    const post = (body: unknown, headers: Record<string, string> = {}) =>
      fetch(`http://${ingest.app.address}/v1/engagement`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) }).then(async (r) => ({ status: r.status, body: (await r.json()) as Record<string, unknown> }));
    const event = (user: string, secondsAgo: number) => ({ user_id: user, item_id: itemId, type: 'view', occurred_at: new Date(Date.now() - secondsAgo * 1_000).toISOString() });
    const before = await count('engagement_events');
    expect(await post({ events: [event('carol', 10)] })).toMatchObject({ status: 401, body: { code: 'unauthenticated', message: expect.stringMatching(/^authorization: missing/) } });
    const carol = (await as('carol')).headers;
    expect(await post({ events: [event('carol', 11), event('alice', 12)] }, carol)).toEqual({
      status: 403,
      body: { code: 'permission_denied', message: 'events[1].user_id: user carol may only act as itself, not as "alice"', field: 'events[1].user_id' },
    });
    expect(await count('engagement_events')).toBe(before);
    expect(await post({ events: [event('carol', 13)] }, carol)).toMatchObject({ status: 200, body: { accepted: 1 } });
  });
});
