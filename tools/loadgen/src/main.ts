#!/usr/bin/env node
// The CLI: exit 0 on success, 1 on usage/config errors, 2 when an SLO gate is missed.
import { writeFileSync } from 'node:fs';
import { parseCli, USAGE } from './cli.js';
import type { ProgressSample } from './load-options.js';
import { UsageError } from './method-resolver.js';
import { renderHtmlReport } from './html-report.js';
import { formatTable } from './report.js';
import { runLoad } from './run-load.js';
import { runScenarioCommand } from './scenario/scenario-command.js';
import { describeMissed, EXIT_OK, EXIT_USAGE, exitCodeFor } from './slo.js';

async function main(argv: readonly string[]): Promise<number> {
  const command = parseCli(argv);
  if (command.help) {
    process.stdout.write(USAGE);
    return EXIT_OK;
  }
  // CI runners often give a pseudo-TTY: a rewritten progress line would only litter their logs.
  const showProgress = command.progress ?? (process.stderr.isTTY === true && !process.env.CI);
  const abort = new AbortController();
  const onSignal = (): void => abort.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const hooks = { signal: abort.signal, onProgress: showProgress ? (sample: ProgressSample) => writeProgress(sample) : undefined };
  const report = command.scenario === undefined ? await runLoad({ ...command.load, ...hooks }) : await runScenarioCommand(command.scenario, command.load, hooks);
  if (showProgress && process.stderr.isTTY) process.stderr.write('\n');
  const json = JSON.stringify(report, null, 2) + '\n';
  if (command.reportFile !== undefined) writeFileSync(command.reportFile, /\.html?$/i.test(command.reportFile) ? renderHtmlReport(report) : json);
  process.stdout.write(command.json ? json : formatTable(report));
  if (report.slo === null) return EXIT_OK;
  for (const line of describeMissed(report.slo)) process.stderr.write(line + '\n');
  return exitCodeFor(report.slo);
}

function writeProgress(sample: ProgressSample): void {
  const line =
    `[${sample.elapsedS.toFixed(0)}s${sample.warmup ? ' warmup' : ''}] ${sample.rps.toFixed(0)} req/s  ` +
    `p50 ${sample.p50Ms.toFixed(2)} ms  p99 ${sample.p99Ms.toFixed(2)} ms  errors ${sample.errors}  in flight ${sample.inflight}`;
  // On a terminal, rewrite one line; in CI logs, one line per second.
  process.stderr.write(process.stderr.isTTY ? `\r\x1b[2K${line}` : `${line}\n`);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    if (error instanceof UsageError) {
      process.stderr.write(`feedmesh-loadgen: ${error.message}\n\n${USAGE}`);
      process.exitCode = EXIT_USAGE;
    } else {
      process.stderr.write(`feedmesh-loadgen: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exitCode = EXIT_USAGE;
    }
  },
);
