import { Code, ConnectError } from '@connectrpc/connect';
import { describe, expect, it } from 'vitest';
import { bearerToken, openGate, tokenGate } from './gate.js';
import { createTokenVerifier } from './token-verifier.js';
import { mintServiceToken, mintUserToken } from './token-minter.js';

const secret = 'a-test-secret-that-is-long-enough-for-hs256';
const verifier = createTokenVerifier({ hs256Secret: secret, issuer: 'feedmesh', audience: 'feedmesh' });

async function refusal(work: () => unknown): Promise<ConnectError> {
  try {
    await work();
  } catch (error) {
    return ConnectError.from(error);
  }
  throw new Error('expected a refusal');
}

describe('bearerToken', () => {
  it('takes the token of a Bearer header, any case of the scheme', () => {
    expect(bearerToken('Bearer abc.def.ghi')).toBe('abc.def.ghi');
    expect(bearerToken('bearer abc.def.ghi')).toBe('abc.def.ghi');
  });

  it.each([[undefined, /missing/], ['', /missing/], ['Basic dTE6cHc=', /not a Bearer/], ['Bearer', /not a Bearer/], ['Bearer a b', /not a Bearer/]])('%j is Unauthenticated', (header, why) => {
    const error = ConnectError.from((() => { try { bearerToken(header); } catch (e) { return e; } })());
    expect(error.code).toBe(Code.Unauthenticated);
    expect(error.rawMessage).toMatch(why);
  });
});

describe('tokenGate', () => {
  it('admits a verified caller', async () => {
    const gate = tokenGate(verifier, { what: 'FeedService' });
    expect(await gate.authenticate(`Bearer ${await mintUserToken(secret, 'u3')}`)).toEqual({ kind: 'user', userId: 'u3' });
  });

  it('with a required scope, refuses end users and services without it (PermissionDenied), admits a service with it', async () => {
    const gate = tokenGate(verifier, { what: 'the mesh', requiredServiceScope: 'mesh_peer' });
    expect((await refusal(async () => gate.authenticate(`Bearer ${await mintUserToken(secret, 'u3')}`))).code).toBe(Code.PermissionDenied);
    expect((await refusal(async () => gate.authenticate(`Bearer ${await mintServiceToken(secret, 'bff')}`))).rawMessage).toMatch(/service bff may not call the mesh: it needs a service token with scope mesh_peer/);
    expect(await gate.authenticate(`Bearer ${await mintServiceToken(secret, 'aggregator', ['mesh_peer'])}`)).toMatchObject({ kind: 'service', name: 'aggregator' });
  });

  it('openGate lets everyone in as anonymous', () => {
    expect(openGate.authenticate(undefined)).toEqual({ kind: 'anonymous' });
  });
});
