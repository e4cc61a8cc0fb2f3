#!/usr/bin/env node
// `npm run token -- u42`: an end-user token for u42; `npm run token -- --service loadgen`: a
// service token that may act for any user (scope act_as_user). Signed with the development key
// of `npm start` (.feedmesh/dev-keys.json), or with AUTH_TOKEN_SECRET when it is set.
import { parseArgs } from 'node:util';
import { devKeys, identity } from './dev-keys.mjs';

const usage = `usage: npm run token -- <user-id> [--ttl 24h]
       npm run token -- --service <name> [--scope act_as_user] [--ttl 24h]
  prints a JWT for \`authorization: Bearer <token>\`, signed with the development key
  (or AUTH_TOKEN_SECRET); --header prints the whole header line instead`;

const units = { s: 1, m: 60, h: 3_600, d: 86_400 };

function fail(message) {
  console.error(`token: ${message}\n${usage}`);
  process.exit(2);
}

let parsed;
try {
  parsed = parseArgs({
    allowPositionals: true,
    options: {
      service: { type: 'string' },
      scope: { type: 'string', multiple: true },
      ttl: { type: 'string', default: '24h' },
      header: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
} catch (error) {
  fail(error.message);
}
const { values, positionals } = parsed;
if (values.help) {
  console.log(usage);
  process.exit(0);
}
const ttl = /^(\d+)([smhd])$/.exec(values.ttl);
if (!ttl) fail(`--ttl must look like 90s, 30m, 24h or 7d, got "${values.ttl}"`);
const ttlSeconds = Number(ttl[1]) * units[ttl[2]];
if (values.service !== undefined && positionals.length > 0) fail('give a user id or --service <name>, not both');
if (values.service === undefined && positionals.length !== 1) fail('give one user id (e.g. u42) or --service <name>');
const subject = values.service ?? positionals[0];
if (!/^[A-Za-z0-9_.:-]{1,128}$/.test(subject)) fail(`"${subject}" is not an id (letters, digits, _ . : -; at most 128)`);

const secret = process.env.AUTH_TOKEN_SECRET || devKeys().authTokenSecret;
const { mintServiceToken, mintUserToken } = identity();
const token =
  values.service !== undefined
    ? await mintServiceToken(secret, subject, values.scope ?? ['act_as_user'], { ttlSeconds })
    : await mintUserToken(secret, subject, { ttlSeconds });
console.log(values.header ? `authorization: Bearer ${token}` : token);
