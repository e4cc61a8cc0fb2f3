/**
 * `npm run bench -- recall [--calls 400] [--concurrency 4] [--rounds 4] [--apps-root <dir>[,<dir>]]`
 *
 * What one first page costs recall: RecallBlock (limit 500, every source) for random users of
 * feedmesh_bench, recall's own CPU plus redis-server's and Postgres' per call, and Redis commands
 * per call. With two `--apps-root` folders (e.g. an older commit's worktree and this checkout's
 * `apps`) the rounds alternate A B A B on the same data in one run, so the machine's noise falls
 * on both alike; medians over rounds are printed.
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { RecallService } from '@feedmesh/contracts';
import { createServiceClient, spawnApp } from '@feedmesh/service-kit';
import { BENCH_DATABASE_URL, BENCH_REDIS_URL, BENCH_USERS, checkBenchData } from './bench-database.js';
import { loadAverage, runAsProcess } from './bench-flags.js';
import { processCpuUs } from './proc-cpu.js';
import { openServerProbes } from './server-probes.js';

interface Round {
  variant: string;
  recallUs: number;
  redisUs: number;
  postgresUs: number;
  redisCommands: number;
  errors: number;
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length === 0 ? NaN : sorted[Math.floor((sorted.length - 1) / 2)]!;
};

export async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      calls: { type: 'string', default: '400' },
      concurrency: { type: 'string', default: '4' },
      rounds: { type: 'string', default: '4' },
      'apps-root': { type: 'string' },
    },
  });
  const calls = Number(values.calls);
  const concurrency = Number(values.concurrency);
  const rounds = Number(values.rounds);
  for (const [flag, n] of [['calls', calls], ['concurrency', concurrency], ['rounds', rounds]] as const) {
    if (!Number.isInteger(n) || n <= 0) throw new Error(`--${flag} must be a positive integer`);
  }
  const roots = (values['apps-root'] ?? path.resolve(__dirname, '../../../apps')).split(',').map((root) => path.resolve(root));
  await checkBenchData();
  const probes = await openServerProbes(BENCH_DATABASE_URL, BENCH_REDIS_URL);
  const results: Round[] = [];
  try {
    for (let round = 0; round < rounds; round++) {
      for (const root of roots) results.push(await measure(root, calls, concurrency, probes));
    }
  } finally {
    await probes.close();
  }
  console.log(`RecallBlock (limit 500, all sources), ${calls} calls × ${rounds} rounds at concurrency ${concurrency}; load average ${loadAverage()}`);
  console.log('variant | recall µs/call | redis-server µs/call | postgres µs/call | total µs/call | redis cmds/call | errors');
  console.log('--- | --- | --- | --- | --- | --- | ---');
  for (const root of roots) {
    const mine = results.filter((r) => r.variant === root);
    const m = (pick: (r: Round) => number) => Math.round(median(mine.map(pick)));
    const total = m((r) => r.recallUs + r.redisUs + r.postgresUs);
    console.log(`${root} | ${m((r) => r.recallUs)} | ${m((r) => r.redisUs)} | ${m((r) => r.postgresUs)} | ${total} | ${median(mine.map((r) => r.redisCommands)).toFixed(1)} | ${mine.reduce((n, r) => n + r.errors, 0)}`);
  }
  return 0;
}

async function measure(appsRoot: string, calls: number, concurrency: number, probes: Awaited<ReturnType<typeof openServerProbes>>): Promise<Round> {
  const app = await spawnApp(
    path.join(appsRoot, 'recall', 'dist', 'main.js'),
    { DATABASE_URL: BENCH_DATABASE_URL, REDIS_URL: BENCH_REDIS_URL, MIGRATE_ON_START: 'false', LOG_LEVEL: 'error' },
    { name: 'recall', timeoutMs: 60_000 },
  );
  const client = createServiceClient(RecallService, { address: app.address, defaultTimeoutMs: 5_000, maxRetries: 0 });
  let errors = 0;
  const one = () =>
    client.recallBlock({ userId: `u${1 + Math.floor(Math.random() * BENCH_USERS)}`, limit: 500 }).then(
      () => undefined,
      () => {
        errors++;
      },
    );
  const drive = async (n: number) => {
    let sent = 0;
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (sent < n) {
          sent++;
          await one();
        }
      }),
    );
  };
  try {
    await drive(Math.max(100, calls / 4)); // warm: JIT, connections, the shared caches
    errors = 0;
    const pid = app.child.pid!;
    const start = await probes.start();
    const cpuBefore = processCpuUs(pid) ?? 0;
    await drive(calls);
    const recallUs = (processCpuUs(pid) ?? 0) - cpuBefore;
    const end = await probes.endNow(start);
    return {
      variant: appsRoot,
      recallUs: recallUs / calls,
      redisUs: (end.redisCpuUs ?? 0) / calls,
      postgresUs: (end.postgresCpuUs ?? 0) / calls,
      redisCommands: (end.redis?.calls ?? 0) / calls,
      errors,
    };
  } finally {
    client.close();
    await app.stop();
  }
}

if (require.main === module) runAsProcess(main);
