#!/usr/bin/env node
// feedmesh-chaos: runs a chaos plan on a mesh of its own and prints the pass/fail table per phase.
// Exit 0 when every phase met its SLO, 2 when one missed, 1 on a bad plan or a run that broke.
import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { UsageError } from '../method-resolver.js';
import { EXIT_OK, EXIT_SLO_MISSED, EXIT_USAGE } from '../slo.js';
import { runChaos, type ChaosRunResult } from './chaos-run.js';
import { parsePlanText } from './fault-plan.js';
import { evaluatePhases, formatPhaseTable, type PhaseVerdict } from './phase-slo.js';

const USAGE = `Usage: feedmesh-chaos <plan.yaml|plan.json> [--out run.json] [--from run.json]

Starts its own mesh (a fresh Postgres database seeded by @feedmesh/seed, a redis-server on a free
port, the apps from their built dist/main.js), drives GetFeed open loop, injects the plan's faults
at their times and checks each phase's SLO. Needs: npx nx run-many -t build, Postgres on
127.0.0.1:5432 (trust, user postgres), redis-server on the PATH.

  --out FILE    also write the run (faults, windows, every call, the phase table) as JSON
  --from FILE   do not run: judge the calls of a run written with --out against this plan's SLO
  --help        this text

Exit 0: every phase passed; 2: an SLO missed; 1: bad plan or arguments, or the run broke.
`;

async function main(argv: readonly string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: { out: { type: 'string' }, from: { type: 'string' }, help: { type: 'boolean' } },
  });
  if (values.help) {
    process.stdout.write(USAGE);
    return EXIT_OK;
  }
  if (positionals.length !== 1) throw new UsageError('expected one plan file');
  const planFile = positionals[0];
  const plan = parsePlanText(readText(planFile), planFile);
  let verdict: PhaseVerdict;
  if (values.from !== undefined) {
    const run = JSON.parse(readText(values.from)) as ChaosRunResult;
    verdict = evaluatePhases(run.calls, run.windows, plan.slo);
    process.stdout.write(`chaos plan ${plan.name}: the calls of ${values.from} (${run.plan}) against this plan's SLO\n`);
  } else {
    const abort = new AbortController();
    process.once('SIGINT', () => abort.abort());
    process.once('SIGTERM', () => abort.abort());
    const started = performance.now();
    const run = await runChaos(plan, { log: (line) => process.stderr.write(`[chaos] ${line}\n`), signal: abort.signal });
    verdict = run.verdict;
    const { requests, throughputRps, latencyMs } = run.load;
    process.stdout.write(
      `chaos plan ${plan.name}: ${plan.load.rate}/s GetFeed for ${plan.load.durationMs / 1000}s (${requests.completed} calls, ${throughputRps.toFixed(1)}/s, ` +
        `p99 ${latencyMs.p99} ms overall, ${requests.dropped} dropped), ${run.faults.length} faults, wall ${((performance.now() - started) / 1000).toFixed(1)}s\n`,
    );
    for (const fault of run.faults) process.stdout.write(`  ${fault.name}: ${(fault.startMs / 1000).toFixed(2)}s–${(fault.endMs / 1000).toFixed(2)}s, ${fault.detail}\n`);
    if (values.out !== undefined) writeFileSync(values.out, JSON.stringify(run) + '\n');
  }
  process.stdout.write(formatPhaseTable(verdict));
  return verdict.passed ? EXIT_OK : EXIT_SLO_MISSED;
}

function readText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read ${file}: ${(error as Error).message}`);
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    if (error instanceof UsageError || (error as { code?: string })?.code?.startsWith('ERR_PARSE_ARGS')) {
      process.stderr.write(`feedmesh-chaos: ${(error as Error).message}\n\n${USAGE}`);
    } else {
      process.stderr.write(`feedmesh-chaos: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    }
    process.exitCode = EXIT_USAGE;
  },
);
