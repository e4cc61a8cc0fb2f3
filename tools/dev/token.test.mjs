// `npm run token`: the tokens it prints verify as what they claim (end user, service with
// act_as_user) against the key it signed with, and bad arguments exit 2 with the usage.
import { execFileSync, spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(join(here, '..', '..', 'package.json'));
const { createTokenVerifier } = require('@feedmesh/identity');
const secret = 'token-tool-test-secret-0123456789abcdefgh';
const run = (...args) => spawnSync(process.execPath, [join(here, 'token.mjs'), ...args], { env: { ...process.env, AUTH_TOKEN_SECRET: secret }, encoding: 'utf8' });
const verifier = createTokenVerifier({ hs256Secret: secret, issuer: 'feedmesh', audience: 'feedmesh' });

test('a user id gives an end-user token for it', async () => {
  const token = execFileSync(process.execPath, [join(here, 'token.mjs'), 'u42'], { env: { ...process.env, AUTH_TOKEN_SECRET: secret }, encoding: 'utf8' }).trim();
  assert.deepEqual(await verifier.verify(token), { kind: 'user', userId: 'u42' });
});

test('--service gives a service token that may act for any user; --scope replaces the scope; --header the whole line', async () => {
  const service = await verifier.verify(run('--service', 'loadgen').stdout.trim());
  assert.equal(service.kind, 'service');
  assert.equal(service.name, 'loadgen');
  assert.deepEqual([...service.scopes], ['act_as_user']);
  const scoped = await verifier.verify(run('--service', 'metrics', '--scope', 'read_metrics').stdout.trim());
  assert.deepEqual([...scoped.scopes], ['read_metrics']);
  assert.match(run('u1', '--header').stdout, /^authorization: Bearer [\w-]+\.[\w-]+\.[\w-]+\n$/);
});

test('--ttl sets the lifetime', async () => {
  const token = run('u1', '--ttl', '1s').stdout.trim();
  const payload = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString());
  assert.equal(payload.exp - payload.iat, 1);
});

test('bad arguments exit 2 naming the problem', () => {
  for (const [args, why] of [[[], /give one user id/], [['u1', '--service', 'x'], /not both/], [['u1', '--ttl', 'soon'], /--ttl must look like/], [['bad id'], /is not an id/]]) {
    const result = run(...args);
    assert.equal(result.status, 2, `${args.join(' ')}: ${result.stderr}`);
    assert.match(result.stderr, why);
  }
});
