// Runs the built CLI (dist/main.js, under this Node 22 binary) against fixture servers and checks
// the JSON report. Build first: `npx nx build @feedmesh/loadgen` (nx's test target does).
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Report } from '../src/report.js';
import { startConnectRankingFixture, startGrpcRankingFixture, type RunningFixture } from './fixtures/ranking-fixture.js';

const CLI = join(__dirname, '..', 'dist', 'main.js');
const BODY = JSON.stringify({
  userId: '{{user}}',
  limit: 2,
  candidates: [
    { item: { id: 'a1', kind: 'ITEM_KIND_ARTICLE', authorId: 'author-1' }, recallScore: 0.5, sources: ['following'] },
    { item: { id: '{{item}}', kind: 'ITEM_KIND_VIDEO' }, recallScore: 0.9, sources: ['trending'] },
  ],
});
const LOAD_ARGS = ['--method', 'feedmesh.ranking.v1.RankingService/Rank', '--body', BODY, '--var', 'user=range:u1..u100000', '--var', 'item=uuid'];

interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

function runCli(args: readonly string[]): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { timeout: 30_000 }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === 'number' ? error.code : -1;
      resolve({ code, stdout, stderr });
    });
  });
}

let fixture: RunningFixture | undefined;
afterEach(async () => {
  await fixture?.close();
  fixture = undefined;
});

function expectHealthyReport(report: Report): void {
  expect(report.requests.ok).toBeGreaterThan(50);
  expect(report.requests.completed).toBe(report.requests.ok);
  expect(report.requests.errors).toBe(0);
  expect(report.errorsByCode).toEqual({});
  expect(report.errorRate).toBe(0);
  const latency = report.latencyMs;
  expect(latency.count).toBe(report.requests.ok);
  expect(latency.p50).toBeGreaterThan(0);
  expect(latency.p90).toBeGreaterThanOrEqual(latency.p50);
  expect(latency.p99).toBeGreaterThanOrEqual(latency.p90);
  expect(latency.p999).toBeGreaterThanOrEqual(latency.p99);
  expect(latency.max).toBeGreaterThanOrEqual(latency.p999);
  expect(report.throughputRps).toBeGreaterThan(0);
  expect(report.clientCpu.usPerRequest).toBeGreaterThan(0);
  expect(report.slowest).toHaveLength(10);
  for (const call of report.slowest) expect(call.traceId).toMatch(/^[0-9a-f]{32}$/);
}

describe('feedmesh-loadgen CLI', () => {
  it('drives a gRPC method closed-loop and reports percentiles, traces and counts', async () => {
    fixture = await startGrpcRankingFixture();
    const result = await runCli(['--target', fixture.address, ...LOAD_ARGS, '-c', '4', '--warmup', '300ms', '--duration', '1700ms',
      '--trace-sample', '0.5', '--metadata', 'x-tenant=test', '--json']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout) as Report;
    expect(report).toMatchObject({ protocol: 'grpc', mode: 'closed-loop', concurrency: 4, method: 'feedmesh.ranking.v1.RankingService/Rank' });
    expectHealthyReport(report);
    expect(report.durationS).toBeGreaterThan(1.6);
    // The server saw warmup and measured calls, each with its own valid traceparent.
    expect(fixture.traceparents.length).toBeGreaterThanOrEqual(report.requests.completed);
    expect(new Set(fixture.traceparents).size).toBe(fixture.traceparents.length);
    for (const header of fixture.traceparents) expect(header).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]$/);
    const sampledShare = fixture.traceparents.filter((h) => h.endsWith('-01')).length / fixture.traceparents.length;
    expect(sampledShare).toBeGreaterThan(0.3);
    expect(sampledShare).toBeLessThan(0.7);
    expect(report.slowestSampled.every((call) => call.sampled)).toBe(true);
  }, 30_000);

  it('drives gRPC through @grpc/grpc-js as well (--protocol grpc-js)', async () => {
    fixture = await startGrpcRankingFixture();
    const result = await runCli(['--protocol', 'grpc-js', '--target', fixture.address, ...LOAD_ARGS, '-c', '4', '--duration', '1200ms',
      '--trace-sample', '1', '--json']);
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout) as Report;
    expect(report).toMatchObject({ protocol: 'grpc-js', workers: 1 });
    expectHealthyReport(report);
    expect(fixture.traceparents.every((h) => /^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/.test(h))).toBe(true);
  }, 30_000);

  it('drives an open loop at a fixed rate', async () => {
    fixture = await startGrpcRankingFixture();
    const result = await runCli(['--target', fixture.address, ...LOAD_ARGS, '--rate', '200', '--duration', '1500ms', '--json']);
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout) as Report;
    expect(report).toMatchObject({ mode: 'open-loop', rate: 200, concurrency: null });
    // 1.5 s at 200/s intends 300 calls; only calls stuck behind --max-inflight may be dropped.
    expect(report.requests.sent + report.requests.dropped).toBe(300);
    expect(report.requests.completed).toBe(report.requests.sent);
    expectHealthyReport(report);
  }, 30_000);

  it('speaks Connect JSON over HTTP/1.1 and writes --report', async () => {
    fixture = await startConnectRankingFixture();
    const dir = mkdtempSync(join(tmpdir(), 'loadgen-report-'));
    try {
      const file = join(dir, 'report.json');
      const result = await runCli(['--protocol', 'connect', '--target', `http://${fixture.address}`, ...LOAD_ARGS, '-c', '4',
        '--duration', '1500ms', '--report', file, '--max-p99-ms', '5000', '--max-error-rate', '0.01']);
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      expect(result.stdout).toMatch(/latency ms {2}p50 [\d.]+ {2}p90/); // the table on stdout
      const report = JSON.parse(readFileSync(file, 'utf8')) as Report;
      expect(report.protocol).toBe('connect');
      expectHealthyReport(report);
      expect(report.slo).toMatchObject({ passed: true });
      expect(fixture.traceparents.every((h) => /^00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]$/.test(h))).toBe(true);
    } finally {
      rmSync(dir, { recursive: true });
    }
  }, 30_000);

  it.each(['grpc', 'grpc-js', 'connect'] as const)('counts %s UNAVAILABLE errors by code and exits 2 on --max-error-rate', async (protocol) => {
    fixture = protocol !== 'connect' ? await startGrpcRankingFixture('unavailable') : await startConnectRankingFixture('unavailable');
    const target = protocol !== 'connect' ? fixture.address : `http://${fixture.address}`;
    const result = await runCli(['--protocol', protocol, '--target', target, ...LOAD_ARGS, '-c', '2', '--duration', '800ms',
      '--max-error-rate', '0.01', '--json']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('SLO missed: error rate 100.00% > 1.00%');
    const report = JSON.parse(result.stdout) as Report;
    expect(report.requests.ok).toBe(0);
    expect(report.requests.errors).toBeGreaterThan(10);
    expect(report.errorsByCode).toEqual({ UNAVAILABLE: report.requests.errors });
    expect(report.errorRate).toBe(1);
    expect(report.slo?.passed).toBe(false);
  }, 30_000);

  it('exits 1 on usage errors without sending anything', async () => {
    const unknownMethod = await runCli(['--target', '127.0.0.1:1', '--method', 'RankingService/Nope']);
    expect(unknownMethod.code).toBe(1);
    expect(unknownMethod.stderr).toContain('has no method "Nope"');
    const badBody = await runCli(['--target', '127.0.0.1:1', '--method', 'RankingService/Rank', '--body', '{"userid":"x"}']);
    expect(badBody.code).toBe(1);
    expect(badBody.stderr).toContain('--body does not match feedmesh.ranking.v1.RankRequest');
  }, 30_000);
});
