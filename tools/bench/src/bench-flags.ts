// Flag values shared by the GetFeed benchmarks.
import { loadavg } from 'node:os';

/** "15s", "500ms", "1m" or a bare number of seconds → milliseconds. */
export function parseDurationMs(text: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(text.trim());
  if (match === null) throw new Error(`not a duration: "${text}" (examples: 500ms, 15s, 1m)`);
  const value = Number(match[1]);
  const unit = match[2] ?? 's';
  return unit === 'ms' ? value : unit === 's' ? value * 1000 : value * 60_000;
}

/** "1,16,64" → [1, 16, 64]. */
export function parseNumberList(text: string): number[] {
  const values = text.split(',').map((part) => Number(part.trim()));
  if (values.some((v) => !Number.isFinite(v) || v <= 0)) throw new Error(`not a list of positive numbers: "${text}"`);
  return values;
}

/** The 1-, 5- and 15-minute load averages: the machine is shared, so every figure carries it. */
export function loadAverage(): string {
  return loadavg()
    .map((v) => v.toFixed(2))
    .join(' ');
}

/** Runs a benchmark's `main` as the process: its exit code, or 1 with the error (a missing data set prints just its message). */
export function runAsProcess(main: (argv: string[]) => Promise<number>): void {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error(error instanceof Error && error.name === 'MissingBenchData' ? error.message : error);
      process.exit(1);
    },
  );
}
