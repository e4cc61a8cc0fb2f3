// What identity costs a call: verifying a bearer token with @feedmesh/identity's verifier, as the
// kit's auth step does on every call (npm run bench -- token-verify [--tokens 5000] [--rounds 5]).
// Three cases: a token seen before (the verified-token cache: a BFF's or a mesh peer's token,
// sent on every call), a new HS256 token each call (the HMAC), a new ES256 token each call from a
// JWKS served on loopback (an identity provider's asymmetric key). Medians of the rounds.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import { createTokenVerifier, mintUserToken, type TokenVerifier } from '@feedmesh/identity';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

async function usPerVerify(verifier: TokenVerifier, tokens: string[]): Promise<number> {
  const started = process.hrtime.bigint();
  for (const token of tokens) await verifier.verify(token);
  return Number(process.hrtime.bigint() - started) / 1000 / tokens.length;
}

export async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { tokens: { type: 'string', default: '5000' }, rounds: { type: 'string', default: '5' } } });
  const n = Number(values.tokens);
  const rounds = Number(values.rounds);
  const secret = 'token-verify-bench-secret-0123456789abcdef';
  const keys = await generateKeyPair('ES256');
  const jwk = { ...(await exportJWK(keys.publicKey)), kid: 'k1', alg: 'ES256' };
  const server = createServer((_, res) => res.setHeader('content-type', 'application/json').end(JSON.stringify({ keys: [jwk] })));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const jwksUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks.json`;
  const results = { cachedUs: [] as number[], hs256Us: [] as number[], es256JwksUs: [] as number[] };
  try {
    for (let round = 0; round < rounds; round++) {
      // Distinct subjects, so every token is new to a fresh verifier.
      const hs256 = await Promise.all(Array.from({ length: n }, (_, i) => mintUserToken(secret, `u${round}-${i}`)));
      const es256 = await Promise.all(
        Array.from({ length: n }, (_, i) => new SignJWT({}).setProtectedHeader({ alg: 'ES256', kid: 'k1' }).setSubject(`u${round}-${i}`).setIssuer('feedmesh').setAudience('feedmesh').setExpirationTime('1h').sign(keys.privateKey)),
      );
      results.hs256Us.push(await usPerVerify(createTokenVerifier({ hs256Secret: secret, issuer: 'feedmesh', audience: 'feedmesh' }), hs256));
      const jwks = createTokenVerifier({ jwksUrl, issuer: 'feedmesh', audience: 'feedmesh' });
      await jwks.verify(es256[0]!); // the key set's one fetch, outside the timing
      results.es256JwksUs.push(await usPerVerify(jwks, es256.slice(1)));
      const cached = createTokenVerifier({ hs256Secret: secret, issuer: 'feedmesh', audience: 'feedmesh' });
      await cached.verify(hs256[0]!);
      results.cachedUs.push(await usPerVerify(cached, Array.from({ length: n }, () => hs256[0]!)));
    }
  } finally {
    server.close();
  }
  const summary = { benchmark: 'token-verify', tokens: n, rounds, usPerVerify: { cached: median(results.cachedUs), hs256New: median(results.hs256Us), es256JwksNew: median(results.es256JwksUs) }, rounds_: results };
  console.log(`token verification, µs per call (median of ${rounds} rounds of ${n}): seen before ${summary.usPerVerify.cached.toFixed(2)}, new HS256 ${summary.usPerVerify.hs256New.toFixed(1)}, new ES256 via JWKS ${summary.usPerVerify.es256JwksNew.toFixed(1)}`);
  console.log(JSON.stringify(summary));
  return 0;
}
