// Render CPU per call at a fixed rate, for one or more builds of render compared in one run.
//
//   npx node apps/render/bench/cpu-per-call.mjs \
//     --database-url postgres://postgres@127.0.0.1:5432/feedmesh_render_bench \
//     --redis-url redis://127.0.0.1:6379/12 --rate 200 --rounds 3 \
//     old=apps/render/.bench-old/dist/main.js new=apps/render/dist/main.js
//
// Each round runs every variant once (order alternating), each on a fresh process and an empty
// card cache: warm-up, then a measured window whose CPU (utime + stime from /proc/<pid>/stat,
// 10 ms ticks) is divided by the calls completed in it. Bodies are 20 ids drawn from a hot set of
// active items, uniformly or (--zipf) with Zipf(1) popularity. Set REDIS_KEY_PREFIX (e.g. rbench:) so the run's card keys are its
// own; they are deleted at the end. Extra env for one variant: name=entry,KEY=VALUE,KEY=VALUE.
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { parseArgs } from 'node:util';

const repo = path.resolve(import.meta.dirname, '../../..');
const requireFromRepo = createRequire(path.join(repo, 'package.json'));
const { runLoad } = requireFromRepo('@feedmesh/loadgen');
const { spawnApp } = requireFromRepo('@feedmesh/service-kit');
const pg = requireFromRepo('pg');
const { Redis } = requireFromRepo('ioredis');

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    'database-url': { type: 'string' },
    'redis-url': { type: 'string', default: 'redis://127.0.0.1:6379/12' },
    rate: { type: 'string', default: '200' },
    rounds: { type: 'string', default: '3' },
    'hot-set': { type: 'string', default: '2000' },
    zipf: { type: 'boolean', default: false },
    'ids-per-call': { type: 'string', default: '20' },
    warmup: { type: 'string', default: '5' },
    duration: { type: 'string', default: '15' },
  },
});
const prefix = process.env.REDIS_KEY_PREFIX;
if (!values['database-url'] || positionals.length === 0 || !prefix) {
  console.error('usage: REDIS_KEY_PREFIX=rbench: cpu-per-call.mjs --database-url URL [--rate N] name=entry[,K=V...] ...');
  process.exit(1);
}
const variants = positionals.map((spec) => {
  const [head, ...envPairs] = spec.split(',');
  const [name, entry] = head.split('=');
  return { name, entry: path.resolve(entry), env: Object.fromEntries(envPairs.map((p) => [p.slice(0, p.indexOf('=')), p.slice(p.indexOf('=') + 1)])) };
});
const rate = Number(values.rate);
const idsPerCall = Number(values['ids-per-call']);

const pool = new pg.Pool({ connectionString: values['database-url'], max: 1 });
const { rows } = await pool.query('SELECT id::text AS id FROM items WHERE status = 1 ORDER BY md5(id::text) LIMIT $1', [Number(values['hot-set'])]);
await pool.end();
const idsFile = path.join(process.env.TMPDIR ?? '/tmp', `render-bench-ids-${process.pid}.txt`);
// --zipf: the id of rank i drawn with weight 1/i (it is written round(N / i) times); else uniform.
const lines = values.zipf ? rows.flatMap((r, i) => Array(Math.max(1, Math.round(rows.length / (i + 1)))).fill(r.id)) : rows.map((r) => r.id);
writeFileSync(idsFile, lines.join('\n') + '\n');

const redis = new Redis(values['redis-url']);
async function deleteCardKeys() {
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}{i:*}:card`, 'COUNT', 1000);
    if (keys.length > 0) await redis.unlink(...keys);
    cursor = next;
  } while (cursor !== '0');
}

function cpuUs(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1_000_000) / 100;
}

async function metricTotals(address) {
  const text = await (await fetch(`http://${address}/metrics`)).text();
  const totals = {};
  for (const line of text.split('\n')) {
    const match = /^(render_card_lookups_total|render_cards_total)\{(.*)\} (\S+)$/.exec(line);
    if (!match) continue;
    const labels = Object.fromEntries([...match[2].matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
    const key = match[1] === 'render_card_lookups_total' ? `layer=${labels.layer}` : `asset_loaded=${labels.asset_loaded}`;
    totals[key] = (totals[key] ?? 0) + Number(match[3]);
  }
  return totals;
}

const body = JSON.stringify({ itemIds: Array.from({ length: idsPerCall }, (_, i) => `{{id${i}}}`) });
const vars = Array.from({ length: idsPerCall }, (_, i) => `id${i}=file:${idsFile}`);
const load = (address, durationS) =>
  runLoad({ target: address, method: 'RenderService/Render', body, variables: vars, rate, maxInflight: 200, durationMs: durationS * 1000, traceSample: 0.01 });

const results = Object.fromEntries(variants.map((v) => [v.name, []]));
const rounds = Number(values.rounds);
for (let round = 0; round < rounds; round++) {
  const order = round % 2 === 0 ? variants : [...variants].reverse();
  for (const variant of order) {
    await deleteCardKeys();
    const app = await spawnApp(variant.entry, { DATABASE_URL: values['database-url'], REDIS_URL: values['redis-url'], MIGRATE_ON_START: 'false', LOG_LEVEL: 'warn', ...variant.env }, { name: variant.name, timeoutMs: 30_000 });
    try {
      await load(app.address, Number(values.warmup));
      const before = await metricTotals(app.address);
      const cpuBefore = cpuUs(app.child.pid);
      const report = await load(app.address, Number(values.duration));
      const cpuAfter = cpuUs(app.child.pid);
      const after = await metricTotals(app.address);
      const delta = Object.fromEntries(Object.keys(after).map((k) => [k, after[k] - (before[k] ?? 0)]));
      const calls = report.requests.completed;
      const row = { round, usPerCall: Math.round((cpuAfter - cpuBefore) / calls), calls, errors: report.requests.errors, p50: report.latencyMs.p50, p99: report.latencyMs.p99, ...delta };
      results[variant.name].push(row);
      console.log(JSON.stringify({ variant: variant.name, ...row }));
    } finally {
      await app.stop();
    }
  }
}
await deleteCardKeys();
redis.disconnect();

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
for (const [name, rowsOf] of Object.entries(results)) {
  console.log(`${name}: median ${median(rowsOf.map((r) => r.usPerCall))} µs/call (rounds: ${rowsOf.map((r) => r.usPerCall).join(', ')}), p50 ${median(rowsOf.map((r) => r.p50)).toFixed(2)} ms, p99 ${median(rowsOf.map((r) => r.p99)).toFixed(2)} ms`);
}
