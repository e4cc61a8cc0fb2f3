#!/usr/bin/env node
// The load generator's own cost: CPU per call (clientCpu.usPerRequest, every worker thread
// included) and the rate it achieves, against the cheapest grpc-js server (test/fixtures/cheap-server.ts,
// its own process) at fixed open-loop rates. Variants run interleaved, round after round, so a
// busy box weighs on all of them alike; the table gives medians.
//
//   npx nx build @feedmesh/loadgen
//   npx node tools/loadgen/bench/cost.mjs [--baseline DIR] [--rounds 3] [--duration 8s] [--warmup 2s]
//     [--server grpc-js|h2] [--rate 2000 | --concurrency 16] [--workers-rate 4500] [--only baseline,grpc-js,grpc,grpc-fast,workers]
//
// --server h2 is a bare node:http2 responder, several times cheaper than grpc-js, for rates a
// grpc-js server cannot serve on a 2-core box beside the load generator.
// --baseline DIR: another build of the tool (DIR/dist/main.js) to compare against in the same run,
// e.g. an older commit's `tools/loadgen` built elsewhere (its node_modules must resolve).
import { execFile, spawn } from 'node:child_process';
import { loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '..');
const { values } = parseArgs({
  options: {
    baseline: { type: 'string' },
    rounds: { type: 'string', default: '3' },
    duration: { type: 'string', default: '8s' },
    warmup: { type: 'string', default: '2s' },
    rate: { type: 'string', default: '2000' },
    'workers-rate': { type: 'string', default: '4500' },
    // Closed loop instead of --rate for the baseline / grpc-js / grpc variants.
    concurrency: { type: 'string' },
    server: { type: 'string', default: 'grpc-js' },
    only: { type: 'string' },
    json: { type: 'boolean', default: false },
  },
});

const BODY = JSON.stringify({
  userId: '{{user}}',
  limit: 2,
  candidates: [
    { item: { id: 'a1', kind: 'ITEM_KIND_ARTICLE', authorId: 'author-1' }, recallScore: 0.5, sources: ['following'] },
    { item: { id: '{{item}}', kind: 'ITEM_KIND_VIDEO' }, recallScore: 0.9, sources: ['trending'] },
  ],
});
const LOAD = ['--method', 'feedmesh.ranking.v1.RankingService/Rank', '--body', BODY, '--var', 'user=range:u1..u100000', '--var', 'item=uuid',
  '--warmup', values.warmup, '--duration', values.duration, '--json'];
const current = join(root, 'dist', 'main.js');
const rate = values.rate;
const workersRate = values['workers-rate'];
const closed = values.concurrency;
const load = closed === undefined ? ['--rate', rate] : ['--concurrency', closed];
const loadName = closed === undefined ? `${rate}/s` : `c=${closed}`;

const all = [
  ...(values.baseline ? [{ key: 'baseline', name: `before (grpc-js), ${loadName}`, cli: join(resolve(values.baseline), 'dist', 'main.js'), args: load }] : []),
  { key: 'grpc-js', name: `now, --protocol grpc-js, ${loadName}`, cli: current, args: ['--protocol', 'grpc-js', ...load] },
  { key: 'grpc', name: `now, grpc, ${loadName}`, cli: current, args: load },
  { key: 'grpc-fast', name: `now, grpc, ${workersRate}/s`, cli: current, args: ['--rate', workersRate] },
  closed === undefined
    ? { key: 'workers', name: `now, grpc, ${workersRate}/s, --workers 2`, cli: current, args: ['--rate', workersRate, '--workers', '2'] }
    : { key: 'workers', name: `now, grpc, c=${closed}, --workers 2`, cli: current, args: ['--concurrency', closed, '--workers', '2'] },
];
const only = values.only?.split(',');
const variants = all.filter((variant) => only === undefined || only.includes(variant.key));

const server = await startServer();
const runs = [];
try {
  for (let round = 1; round <= Number(values.rounds); round++) {
    for (const variant of variants) {
      const load1 = loadavg()[0];
      const report = await runCli(variant.cli, ['--target', server.address, ...LOAD, ...variant.args]);
      const run = {
        round,
        variant: variant.name,
        load1,
        // One formula for every variant (older builds divide by measured calls only): CPU in the
        // measured window / measured calls. Runs that fell behind their rate inflate it (warmup
        // calls finishing in the window), so compare variants at rates they all keep up with.
        usPerCall: report.requests.completed === 0 ? 0 : ((report.clientCpu.userMs + report.clientCpu.systemMs) * 1000) / report.requests.completed,
        rps: report.throughputRps,
        completed: report.requests.completed,
        errors: report.requests.errors,
        dropped: report.requests.dropped,
        late: report.requests.late,
        p50: report.latencyMs.p50,
        p99: report.latencyMs.p99,
      };
      runs.push(run);
      process.stderr.write(`${JSON.stringify(run)}\n`);
      // Let the server finish whatever the last run left it before the next one starts.
      await new Promise((resolveSleep) => setTimeout(resolveSleep, 2000));
    }
  }
} finally {
  server.stop();
}

const median = (list) => {
  const sorted = [...list].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};
const lines = [
  `| variant | CPU µs/call | achieved calls/s | p50 ms | p99 ms | late | dropped | load avg (1 min) |`,
  `| --- | --- | --- | --- | --- | --- | --- | --- |`,
];
for (const variant of variants) {
  const all = runs.filter((run) => run.variant === variant.name);
  // A run that completed nothing has no CPU per call; it still counts for the rate (0).
  const mine = all.filter((run) => run.completed > 0);
  const m = (key) => (mine.length === 0 ? NaN : median(mine.map((run) => run[key])));
  const idle = all.length - mine.length;
  const name = idle === 0 ? variant.name : `${variant.name} (${idle} of ${all.length} runs completed nothing)`;
  lines.push(`| ${name} | ${m('usPerCall').toFixed(0)} | ${median(all.map((run) => run.rps)).toFixed(0)} | ${m('p50').toFixed(2)} | ${m('p99').toFixed(1)} | ${m('late').toFixed(0)} | ${m('dropped').toFixed(0)} | ${median(mine.map((run) => run.load1)).toFixed(1)} |`);
}
const heading = `${values.server} server; medians of ${values.rounds} rounds, ${values.duration} measured after ${values.warmup} warmup each`;
process.stdout.write(values.json ? JSON.stringify(runs, null, 2) + '\n' : `${heading}:\n\n${lines.join('\n')}\n`);

function runCli(cli, args) {
  return new Promise((resolvePromise, reject) => {
    execFile(process.execPath, [cli, ...args], { timeout: 120_000, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error && error.code !== 2) return reject(new Error(`${cli} failed: ${error.message}\n${stderr}`));
      resolvePromise(JSON.parse(stdout));
    });
  });
}

async function startServer() {
  const child = spawn(process.execPath, [join(root, 'test', 'fixtures', 'cheap-server.ts'), values.server], { stdio: ['ignore', 'pipe', 'ignore'] });
  const address = await new Promise((resolvePromise, reject) => {
    let text = '';
    child.stdout.on('data', (chunk) => {
      text += chunk;
      const line = text.split('\n')[0];
      if (text.includes('\n')) resolvePromise(line.trim());
    });
    child.once('exit', (code) => reject(new Error(`cheap server exited (${code})`)));
  });
  return { address, stop: () => child.kill('SIGTERM') };
}
