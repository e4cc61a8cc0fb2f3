// Who is calling, over the network on both protocols: the edge app (FeedService, an edge service)
// verifies end-user and service tokens and lets a request act only as its caller; the leaf
// (RankingService, a mesh service) takes calls only from mesh peers, which the kit's client
// proves by itself; probes stay open; reflection can be limited to service callers.
import { join } from 'node:path';
import { Code } from '@connectrpc/connect';
import { FeedService, RankingService } from '@feedmesh/contracts';
import { mintServiceToken, mintUserToken } from '@feedmesh/identity';
import { createServiceClient, errorOf, spawnApp, type SpawnedApp } from '@feedmesh/service-kit';
import * as grpc from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectJson } from './support/connect-json.js';
import { startEdge, startLeaf } from './support/fixture-apps.js';
import { callUnary, healthClient } from './support/standard-grpc.js';

const authSecret = 'edge-secret-for-the-identity-test-0123456789';
const meshSecret = 'mesh-secret-for-the-identity-test-0123456789';
const edgeAuth = { AUTH_MODE: 'jwt', AUTH_TOKEN_SECRET: authSecret };
const meshAuth = { MESH_AUTH: 'token', MESH_TOKEN_SECRET: meshSecret };

let leaf: SpawnedApp;
let edge: SpawnedApp;
let feed: ReturnType<typeof createServiceClient<typeof FeedService>>;
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

beforeAll(async () => {
  leaf = await startLeaf({ ...meshAuth, REFLECTION_ACCESS: 'service', APP_NAME: 'leaf' });
  edge = await startEdge(leaf, { ...edgeAuth, ...meshAuth, REFLECTION_ACCESS: 'service' });
  feed = createServiceClient(FeedService, { address: edge.address, maxRetries: 0 });
});

afterAll(async () => {
  feed?.close();
  await Promise.all([edge?.stop(), leaf?.stop()]);
});

describe('an edge service (AUTH_MODE=jwt)', () => {
  it('without a token, or with a bad one, is Unauthenticated on gRPC and Connect, saying why', async () => {
    expect(await errorOf(feed.getFeed({ userId: 'whoami' }))).toMatchObject({ code: Code.Unauthenticated, rawMessage: expect.stringMatching(/^authorization: missing/) });
    const expired = await mintUserToken(authSecret, 'whoami', { ttlSeconds: -120 });
    expect(await errorOf(feed.getFeed({ userId: 'whoami' }, { headers: bearer(expired) }))).toMatchObject({ code: Code.Unauthenticated, rawMessage: 'authorization: the token has expired' });
    const forged = await mintUserToken('a-secret-nobody-configured-0123456789abcdef', 'whoami');
    expect(await errorOf(feed.getFeed({ userId: 'whoami' }, { headers: bearer(forged) }))).toMatchObject({ code: Code.Unauthenticated });

    const json = await connectJson(edge.port, 'feedmesh.feed.v1.FeedService/GetFeed', { userId: 'whoami' });
    expect(json.status).toBe(401);
    expect(json.body).toMatchObject({ code: 'unauthenticated', message: expect.stringMatching(/^authorization: missing/) });
    const basic = await connectJson(edge.port, 'feedmesh.feed.v1.FeedService/GetFeed', { userId: 'whoami' }, { authorization: 'Basic dTE6cHc=' });
    expect(basic.body).toMatchObject({ code: 'unauthenticated', message: expect.stringMatching(/not a Bearer token/) });
  });

  it("an end user reads its own feed; the handler sees the user, the mesh service sees the edge app's peer token", async () => {
    const page = await feed.getFeed({ userId: 'whoami-u1' }, { headers: bearer(await mintUserToken(authSecret, 'whoami-u1')) });
    expect(page.degradedReasons).toEqual(['user whoami-u1', 'service edge']);
    const json = await connectJson(edge.port, 'feedmesh.feed.v1.FeedService/GetFeed', { userId: 'whoami-u1' }, bearer(await mintUserToken(authSecret, 'whoami-u1')));
    expect(json).toMatchObject({ status: 200, body: { degradedReasons: ['user whoami-u1', 'service edge'] } });
  });

  it("an end user naming another user is PermissionDenied naming the field, on both protocols, and the handler never runs", async () => {
    const u1 = bearer(await mintUserToken(authSecret, 'whoami-u1'));
    const denied = await errorOf(feed.getFeed({ userId: 'whoami-u2' }, { headers: u1 }));
    expect(denied.code).toBe(Code.PermissionDenied);
    expect(denied.rawMessage).toBe('user_id: user whoami-u1 may only act as itself, not as "whoami-u2"');
    const json = await connectJson(edge.port, 'feedmesh.feed.v1.FeedService/GetFeed', { userId: 'whoami-u2' }, u1);
    expect(json).toMatchObject({ status: 403, body: { code: 'permission_denied', message: expect.stringMatching(/^user_id: /) } });
    expect(edge.logs.join('\n')).not.toMatch(/whoami-u2/);
  });

  it('a service with act_as_user may act for any user; one without it for none', async () => {
    const bff = bearer(await mintServiceToken(authSecret, 'bff'));
    expect((await feed.getFeed({ userId: 'whoami-u2' }, { headers: bff })).degradedReasons).toEqual(['service bff', 'service edge']);
    const reporter = bearer(await mintServiceToken(authSecret, 'reporter', ['read_metrics']));
    expect(await errorOf(feed.getFeed({ userId: 'whoami-u2' }, { headers: reporter }))).toMatchObject({
      code: Code.PermissionDenied,
      rawMessage: 'user_id: service reporter may not act for users; its token needs scope act_as_user',
    });
  });

  it('a token is checked before the request: a stranger gets Unauthenticated, not the contract\'s InvalidArgument', async () => {
    expect((await errorOf(feed.getFeed({ userId: '', pageSize: 100_000 }))).code).toBe(Code.Unauthenticated);
  });
});

describe('a mesh service (MESH_AUTH=token)', () => {
  it('refuses callers without a mesh peer token: none, an end user, an edge service token', async () => {
    const ranking = createServiceClient(RankingService, { address: leaf.address, maxRetries: 0 });
    try {
      expect((await errorOf(ranking.rank({ userId: 'whoami' }))).code).toBe(Code.Unauthenticated);
      expect((await errorOf(ranking.rank({ userId: 'whoami' }, { headers: bearer(await mintUserToken(authSecret, 'u1')) }))).code).toBe(Code.Unauthenticated);
      // Signed with the mesh's secret but not a peer: the scope decides.
      const notPeer = await mintServiceToken(meshSecret, 'bff', ['act_as_user'], { issuer: 'feedmesh-mesh', audience: 'feedmesh-mesh' });
      expect(await errorOf(ranking.rank({ userId: 'whoami' }, { headers: bearer(notPeer) }))).toMatchObject({ code: Code.PermissionDenied, rawMessage: expect.stringMatching(/needs a service token with scope mesh_peer/) });
    } finally {
      ranking.close();
    }
  });

  it('refuses to start with MESH_AUTH=token but no MESH_TOKEN_SECRET, naming it', async () => {
    const failed = await startLeaf({ MESH_AUTH: 'token' }).then(
      async (app) => (await app.stop('SIGKILL'), ''),
      (error: Error) => error.message,
    );
    expect(failed).toMatch(/MESH_AUTH=token needs MESH_TOKEN_SECRET/);
  });

  it('an edge app with AUTH_MODE=jwt but no key refuses to start, naming the settings', async () => {
    const failed = await spawnApp(join(__dirname, 'fixtures', 'edge-app.cjs'), { LEAF_ADDR: leaf.address, AUTH_MODE: 'jwt' }, { name: 'edge-no-key' }).then(
      async (app) => (await app.stop('SIGKILL'), ''),
      (error: Error) => error.message,
    );
    expect(failed).toMatch(/AUTH_MODE=jwt needs AUTH_TOKEN_SECRET and\/or AUTH_JWKS_URL/);
  });
});

describe('what stays open, and what can be closed', () => {
  it('health over gRPC, /healthz, /readyz and /metrics answer without a token', async () => {
    const health = healthClient(edge.address);
    try {
      expect(await callUnary(health, 'Check', { service: '' })).toMatchObject({ status: 'SERVING' });
    } finally {
      health.close();
    }
    for (const path of ['/healthz', '/readyz', '/metrics']) expect((await fetch(`http://127.0.0.1:${edge.port}${path}`)).status).toBe(200);
  });

  it('REFLECTION_ACCESS=service: reflection lists the services for a service token, and refuses an end user or no token', async () => {
    expect(await listServices(edge.address, bearer(await mintServiceToken(authSecret, 'buf-curl', [])))).toContain('feedmesh.feed.v1.FeedService');
    await expect(listServices(edge.address, {})).rejects.toMatchObject({ code: grpc.status.UNAUTHENTICATED });
    await expect(listServices(edge.address, bearer(await mintUserToken(authSecret, 'u1')))).rejects.toMatchObject({ code: grpc.status.PERMISSION_DENIED });
  });
});

/** grpc.reflection.v1 list_services, as grpcurl and buf curl ask it. */
function listServices(address: string, headers: Record<string, string>): Promise<string[]> {
  const protoDir = join(require.resolve('@grpc/reflection/package.json'), '..', 'build', 'proto');
  const loaded = grpc.loadPackageDefinition(loadSync(join(protoDir, 'grpc', 'reflection', 'v1', 'reflection.proto'), { keepCase: false }));
  const Reflection = (loaded as never as { grpc: { reflection: { v1: { ServerReflection: new (a: string, c: grpc.ChannelCredentials) => grpc.Client } } } }).grpc.reflection.v1.ServerReflection;
  const client = new Reflection(address, grpc.credentials.createInsecure());
  const metadata = new grpc.Metadata();
  for (const [key, value] of Object.entries(headers)) metadata.set(key, value);
  return new Promise((resolve, reject) => {
    const call = (client as never as { serverReflectionInfo(m: grpc.Metadata): grpc.ClientDuplexStream<unknown, { listServicesResponse?: { service: { name: string }[] } }> }).serverReflectionInfo(metadata);
    call.on('data', (answer: { listServicesResponse?: { service: { name: string }[] } }) => {
      resolve(answer.listServicesResponse?.service.map((s) => s.name) ?? []);
      call.end();
    });
    call.on('error', (error) => reject(error));
    call.on('end', () => client.close());
    call.write({ listServices: '' });
  });
}
