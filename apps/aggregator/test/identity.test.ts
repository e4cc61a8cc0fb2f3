// Identity across the read path, every app spawned from dist with authentication on as `npm
// start` runs it (AUTH_MODE=jwt at the edge, MESH_AUTH=token inside), on real Postgres (a database
// of this file's own) and Redis (db 4): an end user reads its own feed through recall, ranking
// and render, which accept the aggregator's peer tokens (the page is whole, not degraded); it may
// not read another user's; debug output is for service callers; the mesh services refuse callers
// that are not mesh peers.
import { Code } from '@connectrpc/connect';
import { RecallService } from '@feedmesh/contracts';
import { MESH_TOKEN_AUDIENCE, MESH_TOKEN_ISSUER, mintServiceToken, mintUserToken } from '@feedmesh/identity';
import { createServiceClient, errorOf } from '@feedmesh/service-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestWorld, type TestWorld } from './test-world.js';

const authSecret = 'aggregator-identity-test-edge-secret-0123456789';
const meshSecret = 'aggregator-identity-test-mesh-secret-0123456789';
const pageSize = 20;
const timeoutMs = 5_000;
let world: TestWorld;
let viewer: string;
let other: string;

beforeAll(async () => {
  world = await startTestWorld({
    name: 'identity',
    redisDb: 4,
    seed: { users: 12, items: 600, seed: 41, days: 2, timelineLength: 200, nowMs: Date.now() - 60_000 },
    mesh: {
      everyApp: { AUTH_MODE: 'jwt', AUTH_TOKEN_SECRET: authSecret, MESH_AUTH: 'token', MESH_TOKEN_SECRET: meshSecret },
      aggregatorEnvSpec: { FEED_DEBUG: 'service' },
    },
  });
  [viewer, other] = world.users as [string, string];
});

afterAll(async () => {
  await world?.close();
});

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

describe('the read path with authentication on', () => {
  it("an end user's token reads its own feed, whole: recall, ranking and render accepted the aggregator as a mesh peer", async () => {
    const page = await world.feed.getFeed({ userId: viewer, pageSize }, { timeoutMs, headers: bearer(await mintUserToken(authSecret, viewer)) });
    expect(page.items).toHaveLength(pageSize);
    expect(page.degraded, page.degradedReasons.join(', ')).toBe(false);
    // The next page, by its cursor, with the same token.
    const next = await world.feed.getFeed({ userId: viewer, pageSize, cursor: page.nextCursor }, { timeoutMs, headers: bearer(await mintUserToken(authSecret, viewer)) });
    expect(next.items.map((i) => i.id)).not.toContain(page.items[0]!.id);
  });

  it("another user's feed, a missing token, or one signed with the mesh's secret: refused before anything is read", async () => {
    expect(await errorOf(world.feed.getFeed({ userId: other, pageSize }, { timeoutMs, headers: bearer(await mintUserToken(authSecret, viewer)) }))).toMatchObject({
      code: Code.PermissionDenied,
      rawMessage: `user_id: user ${viewer} may only act as itself, not as "${other}"`,
    });
    expect((await errorOf(world.feed.getFeed({ userId: viewer, pageSize }, { timeoutMs }))).code).toBe(Code.Unauthenticated);
    const peer = await mintServiceToken(meshSecret, 'aggregator', ['mesh_peer'], { issuer: MESH_TOKEN_ISSUER, audience: MESH_TOKEN_AUDIENCE });
    expect((await errorOf(world.feed.getFeed({ userId: viewer, pageSize }, { timeoutMs, headers: bearer(peer) }))).code).toBe(Code.Unauthenticated);
  });

  it('debug output and ExplainFeedItem (FEED_DEBUG=service): a BFF service token gets them, the end user gets PermissionDenied naming debug', async () => {
    const user = bearer(await mintUserToken(authSecret, viewer));
    expect(await errorOf(world.feed.getFeed({ userId: viewer, pageSize, debug: true }, { timeoutMs, headers: user }))).toMatchObject({ code: Code.PermissionDenied, rawMessage: expect.stringMatching(/^debug: only service callers/) });
    const bff = bearer(await mintServiceToken(authSecret, 'bff'));
    const page = await world.feed.getFeed({ userId: other, pageSize, debug: true }, { timeoutMs, headers: bff });
    expect(page.items).toHaveLength(pageSize);
    expect(page.debug?.stages.length).toBeGreaterThan(0);
    const explained = await world.feed.explainFeedItem({ userId: other, itemId: page.items[3]!.id }, { timeoutMs, headers: bff });
    expect(explained.summary).not.toBe("");
  });

  it('recall, a mesh service, refuses an end user and a BFF; a mesh peer token passes', async () => {
    const recall = createServiceClient(RecallService, { address: world.mesh.recall.address, maxRetries: 0 });
    try {
      expect((await errorOf(recall.recall({ userId: viewer, limit: 10 }, { timeoutMs }))).code).toBe(Code.Unauthenticated);
      expect((await errorOf(recall.recall({ userId: viewer, limit: 10 }, { timeoutMs, headers: bearer(await mintServiceToken(authSecret, 'bff')) }))).code).toBe(Code.Unauthenticated);
      const peer = await mintServiceToken(meshSecret, 'ops-probe', ['mesh_peer'], { issuer: MESH_TOKEN_ISSUER, audience: MESH_TOKEN_AUDIENCE });
      const recalled = await recall.recall({ userId: viewer, limit: 10 }, { timeoutMs, headers: bearer(peer) });
      expect(recalled.candidates.length).toBeGreaterThan(0);
    } finally {
      recall.close();
    }
  });
});
