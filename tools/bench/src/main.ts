#!/usr/bin/env node
// `npm run bench -- <name> [flags]`: one entry point for every benchmark; flags go to it unchanged.
import { fork } from 'node:child_process';
import path from 'node:path';

interface Benchmark {
  describe: string;
  /** Runs in this process (it may load pg, so only required once chosen) and returns an exit code. */
  run(argv: string[]): Promise<number>;
}

/** The older benchmarks parse process.argv themselves; they run as a child with the flags. */
const script = (file: string) => (argv: string[]) =>
  new Promise<number>((resolve, reject) => {
    const child = fork(path.join(__dirname, file), argv, { execPath: process.execPath, stdio: 'inherit' });
    child.once('error', reject);
    child.once('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });

/* eslint-disable @typescript-eslint/no-require-imports */
const benchmarks: Record<string, Benchmark> = {
  hop: { describe: 'service-kit hop vs bare grpc-js vs connect-node: CPU per request [--rounds 3]', run: script('hop/hop-bench.js') },
  ranking: { describe: 'ranking 100k candidates: time and memory, in-process and over gRPC [--runs 20]', run: script('ranking-100k.js') },
  ingest: { describe: 'engagement events/s through RecordEngagement, fan-out to 100k followers', run: script('ingest-bench.js') },
  'getfeed-mesh': {
    describe: 'GetFeed through the five spawned apps on feedmesh_bench [--phases c1,c16,c64,auto] [--duration 15s]',
    run: (argv) => (require('./getfeed-mesh.js') as typeof import('./getfeed-mesh.js')).main(argv),
  },
  recall: {
    describe: "what a first page costs recall: RecallBlock CPU (recall + redis-server + postgres) per call [--apps-root old,new] [--rounds 4]",
    run: (argv) => (require('./recall-block.js') as typeof import('./recall-block.js')).main(argv),
  },
  'token-verify': {
    describe: 'what identity costs a call: bearer-token verification, cached / new HS256 / new ES256 via JWKS [--tokens 5000] [--rounds 5]',
    run: (argv) => (require('./token-verify.js') as typeof import('./token-verify.js')).main(argv),
  },
  'getfeed-in-process': {
    describe: 'the same GetFeed pipeline in one process [--concurrency 1,16,64] [--mesh-json file]',
    run: (argv) => (require('./getfeed-in-process.js') as typeof import('./getfeed-in-process.js')).main(argv),
  },
};
/* eslint-enable @typescript-eslint/no-require-imports */

function list(): string {
  const width = Math.max(...Object.keys(benchmarks).map((name) => name.length));
  return Object.entries(benchmarks)
    .map(([name, b]) => `  ${name.padEnd(width)}  ${b.describe}`)
    .join('\n');
}

async function main([name, ...argv]: string[]): Promise<number> {
  if (name === undefined || name === 'list' || name === '--help') {
    console.log(`usage: npm run bench -- <name> [flags]\n\n${list()}`);
    return name === undefined ? 1 : 0;
  }
  const benchmark = benchmarks[name];
  if (benchmark === undefined) {
    console.error(`unknown benchmark "${name}"; one of:\n${list()}`);
    return 1;
  }
  return benchmark.run(argv);
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    // A missing data set is a setup step, not a crash: its message says what to run.
    console.error(error instanceof Error && error.name === 'MissingBenchData' ? error.message : error);
    process.exit(1);
  },
);
