// A short chaos run in CI, through the CLI as `npm run chaos` runs it: its own database, Redis and
// mesh (built dist/main.js of recall, ranking, render, aggregator), 25 s of GetFeed at 8/s with
// recall's Redis slowed by 200 ms for 3 s, then ranking killed for 3 s and restarted. Checks that
// the table has every phase, that the faults really happened (the calls show them), and that the
// exit status follows the gate: the box-sized gate passes, an impossible one fails on the same calls.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChaosRunResult } from '../src/chaos/chaos-run.js';
import { OK } from '../src/status-codes.js';

const CLI = join(__dirname, '..', 'dist', 'chaos', 'chaos-main.js');
const PLAN = join(__dirname, 'fixtures', 'chaos', 'ci-short.yaml');
const IMPOSSIBLE = join(__dirname, 'fixtures', 'chaos', 'ci-impossible.yaml');
/** Recall's shortest source timeout (RECALL_TRENDING_TIMEOUT_MS / RECALL_FRESH_TIMEOUT_MS): what ci-short's +200 ms on its Redis costs a page at least. */
const SHORTEST_SOURCE_TIMEOUT_MS = 60;

interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

function runCli(args: readonly string[], timeoutMs: number): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { timeout: timeoutMs }, (error, stdout, stderr) => {
      resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : -1, stdout, stderr });
    });
  });
}

let dir: string;
let result: CliResult;
let run: ChaosRunResult;
let wallMs: number;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'feedmesh-chaos-test-'));
  const started = performance.now();
  result = await runCli([PLAN, '--out', join(dir, 'run.json')], 150_000);
  wallMs = performance.now() - started;
  console.log(`[chaos] ci-short: exit ${result.code} after ${(wallMs / 1000).toFixed(1)} s\n${result.stdout}${result.stderr}`);
  run = JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8')) as ChaosRunResult;
}, 160_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('npm run chaos on a short plan', () => {
  it('prints a row per phase and passes the box-sized gate with exit 0', () => {
    for (const phase of ['outside faults', 'during faults[0] latency recall→redis +200ms', 'during faults[1] kill ranking', 'during faults']) {
      expect(result.stdout).toMatch(new RegExp(`^${phase.replace(/[[\]+]/g, '\\$&')}\\s+\\d+`, 'm'));
    }
    expect(result.stdout).toContain('chaos gate: PASS');
    expect(result.code, result.stdout + result.stderr).toBe(0);
  });

  it('slowed recall\'s Redis: whole pages inside the latency window were slower than outside by at least recall\'s shortest source timeout', () => {
    const fault = run.faults[0];
    expect(fault.endMs - fault.startMs).toBeGreaterThanOrEqual(3_000 - 5);
    // Recall gives up on a source after 60–80 ms (RECALL_*_TIMEOUT_MS) and still answers, so a page
    // does not wait the proxy's full 200 ms; it waits at least the shortest timeout more than usual.
    // Degraded pages are the fallback when even that fails: a sign of the fault too, left out here.
    const inside = run.calls.filter((call) => call.code === OK && !call.degraded && call.startMs >= fault.startMs && call.endMs <= fault.endMs);
    const latencies = inside.map((call) => call.endMs - call.startMs).sort((a, b) => a - b);
    const median = latencies[Math.floor(latencies.length / 2)];
    const outside = run.verdict.phases.find((phase) => phase.kind === 'outside')!;
    const detail = `whole pages inside ${Math.round(fault.startMs)}–${Math.round(fault.endMs)} ms took ${latencies.map(Math.round).join(', ')} ms; outside p50 ${outside.p50Ms} ms`;
    expect(inside.length, detail).toBeGreaterThanOrEqual(3);
    expect(median, detail).toBeGreaterThanOrEqual(outside.p50Ms + SHORTEST_SOURCE_TIMEOUT_MS);
  });

  it('killed ranking: pages were degraded while it was down, and whole outside the faults', () => {
    const fault = run.faults[1];
    expect(fault.detail).toMatch(/^down \d+ ms until ready$/);
    expect(fault.endMs - fault.startMs).toBeGreaterThanOrEqual(3_000);
    const killed = run.verdict.phases.find((phase) => phase.phase.includes('kill ranking'))!;
    expect(killed.degradedShare).toBeGreaterThanOrEqual(0.5);
    const outside = run.verdict.phases.find((phase) => phase.kind === 'outside')!;
    expect(outside.calls).toBeGreaterThan(20);
    expect(outside.degradedShare).toBeLessThan(0.2);
  });

  it('an impossible gate fails on the same calls, with exit 2 and the misses named', async () => {
    const judged = await runCli([IMPOSSIBLE, '--from', join(dir, 'run.json')], 30_000);
    expect(judged.code, judged.stdout + judged.stderr).toBe(2);
    expect(judged.stdout).toMatch(/^ {2}outside faults: missed: p99 [\d.]+ ms > 0\.001 ms$/m);
    expect(judged.stdout).toContain('chaos gate: FAIL');
  });

  it('refuses a bad plan with exit 1, naming the field and line', async () => {
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, readFileSync(PLAN, 'utf8').replace('action: kill', 'action: explode'));
    const refused = await runCli([bad], 30_000);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/bad\.yaml:\d+: faults\[1\]\.action must be one of kill, stop, restart, latency, redis-restart, got "explode"/);
  });
});
