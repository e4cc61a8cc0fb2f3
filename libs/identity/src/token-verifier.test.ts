import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Code, ConnectError } from '@connectrpc/connect';
import { exportJWK, generateKeyPair, SignJWT, UnsecuredJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTokenVerifier } from './token-verifier.js';
import { mintServiceToken, mintUserToken } from './token-minter.js';

const secret = 'a-test-secret-that-is-long-enough-for-hs256';

async function codeOf(work: () => unknown): Promise<{ code: Code; message: string }> {
  try {
    await work();
  } catch (error) {
    const e = ConnectError.from(error);
    return { code: e.code, message: e.rawMessage };
  }
  throw new Error('expected a refusal');
}

describe('HS256 tokens', () => {
  const verifier = createTokenVerifier({ hs256Secret: secret, issuer: 'feedmesh', audience: 'feedmesh' });

  it('an end user is its subject; a service is its client_id with its scopes', async () => {
    expect(await verifier.verify(await mintUserToken(secret, 'u42'))).toEqual({ kind: 'user', userId: 'u42' });
    const service = await verifier.verify(await mintServiceToken(secret, 'loadgen'));
    expect(service).toMatchObject({ kind: 'service', name: 'loadgen' });
    expect([...(service as unknown as { scopes: Set<string> }).scopes]).toEqual(['act_as_user']);
  });

  it('a token verified once is answered from memory on the next call', async () => {
    const token = await mintUserToken(secret, 'u7');
    await verifier.verify(token);
    expect(verifier.verify(token)).toEqual({ kind: 'user', userId: 'u7' });
  });

  it.each([
    ['an expired token', () => mintUserToken(secret, 'u1', { ttlSeconds: -120 }), /expired/],
    ['another issuer', () => mintUserToken(secret, 'u1', { issuer: 'elsewhere' }), /"iss"/],
    ['another audience', () => mintUserToken(secret, 'u1', { audience: 'elsewhere' }), /"aud"/],
    ['another secret', () => mintUserToken('another-secret-that-is-also-long-enough', 'u1'), /signature/],
    ['an unsigned token', async () => new UnsecuredJWT({ sub: 'u1' }).setIssuer('feedmesh').setAudience('feedmesh').setExpirationTime('1h').encode(), /none/],
    ['no subject', () => new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setIssuer('feedmesh').setAudience('feedmesh').setExpirationTime('1h').sign(new TextEncoder().encode(secret)), /"sub"/],
    ['not a JWT', async () => 'not.a.jwt', /not a valid token|accepted/],
  ])('%s is Unauthenticated, saying why', async (_, token, why) => {
    const refusal = await codeOf(async () => verifier.verify(await token()));
    expect(refusal.code).toBe(Code.Unauthenticated);
    expect(refusal.message).toMatch(why);
  });
});

describe('a JWKS URL', () => {
  let server: Server;
  let jwksUrl: string;
  let keys: Awaited<ReturnType<typeof generateKeyPair>>;

  beforeAll(async () => {
    keys = await generateKeyPair('ES256');
    const jwk = { ...(await exportJWK(keys.publicKey)), kid: 'k1', alg: 'ES256', use: 'sig' };
    server = createServer((_, res) => res.setHeader('content-type', 'application/json').end(JSON.stringify({ keys: [jwk] })));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    jwksUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/.well-known/jwks.json`;
  });
  afterAll(() => new Promise((resolve) => server.close(resolve)));

  const signed = (kid: string, key = keys.privateKey) =>
    new SignJWT({}).setProtectedHeader({ alg: 'ES256', kid }).setSubject('u9').setIssuer('https://idp.example').setAudience('feedmesh').setExpirationTime('5m').sign(key);

  it("verifies a token signed by the provider's key, by its kid", async () => {
    const verifier = createTokenVerifier({ jwksUrl, issuer: 'https://idp.example', audience: 'feedmesh' });
    expect(await verifier.verify(await signed('k1'))).toEqual({ kind: 'user', userId: 'u9' });
  });

  it('refuses a key the provider does not list, and an HS256 token when no secret is set', async () => {
    const verifier = createTokenVerifier({ jwksUrl, issuer: 'https://idp.example', audience: 'feedmesh' });
    const other = await generateKeyPair('ES256');
    expect((await codeOf(async () => verifier.verify(await signed('k2', other.privateKey)))).code).toBe(Code.Unauthenticated);
    const hmac = await mintUserToken(secret, 'u9', { issuer: 'https://idp.example' });
    expect(await codeOf(() => verifier.verify(hmac))).toEqual({ code: Code.Unauthenticated, message: expect.stringMatching(/HS256/) });
  });

  it('is Unavailable, not Unauthenticated, when the provider cannot be reached', async () => {
    const verifier = createTokenVerifier({ jwksUrl: 'http://127.0.0.1:9/jwks.json', issuer: 'https://idp.example', audience: 'feedmesh' });
    expect((await codeOf(async () => verifier.verify(await signed('k1')))).code).toBe(Code.Unavailable);
  });
});
