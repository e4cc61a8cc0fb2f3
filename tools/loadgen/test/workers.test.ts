// --workers 2 through the built CLI (dist/main.js) against a real grpc-js server in this process:
// the merged report must count exactly the calls the server received.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Report } from '../src/report.js';
import { startCheapServer, type CheapServer } from './fixtures/cheap-server.js';

const CLI = join(__dirname, '..', 'dist', 'main.js');
const LOAD = ['--method', 'RankingService/Rank', '--body', '{"userId":"{{user}}","limit":2}', '--var', 'user=range:u1..u1000', '--json'];

function runCli(args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { timeout: 60_000 }, (error, stdout, stderr) => {
      resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : -1, stdout, stderr });
    });
  });
}

let server: CheapServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('feedmesh-loadgen --workers', () => {
  it('closed loop: two workers send exactly --requests calls, and the merged counts match the server', async () => {
    server = await startCheapServer();
    const result = await runCli(['--target', server.address, ...LOAD, '--workers', '2', '-c', '8', '--requests', '1001', '--trace-sample', '0.5']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout) as Report;
    expect(report).toMatchObject({ workers: 2, mode: 'closed-loop', concurrency: 8, protocol: 'grpc' });
    expect(report.requests).toMatchObject({ sent: 1001, completed: 1001, ok: 1001, errors: 0 });
    expect(report.latencyMs.count).toBe(1001);
    expect(server.served()).toBe(1001);
    expect(report.clientCpu.usPerRequest).toBeGreaterThan(0);
    expect(report.slowest).toHaveLength(10);
    expect(report.slowestSampled.every((call) => call.sampled)).toBe(true);
    expect(new Set(report.slowest.map((call) => call.traceId)).size).toBe(10);
  }, 60_000);

  it('open loop: the split rate adds up to the offered rate, every sent call reached the server', async () => {
    server = await startCheapServer();
    const result = await runCli(['--target', server.address, ...LOAD, '--workers', '2', '--rate', '600', '--duration', '2s']);
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout) as Report;
    expect(report).toMatchObject({ workers: 2, mode: 'open-loop', rate: 600 });
    // 2 s at 600/s intends 1200 calls in all; only calls stuck behind --max-inflight may be dropped.
    expect(report.requests.sent + report.requests.dropped).toBe(1200);
    expect(report.requests.completed).toBe(report.requests.sent);
    expect(report.requests.errors).toBe(0);
    expect(server.served()).toBe(report.requests.completed);
    expect(report.throughputRps).toBeGreaterThan(0);
  }, 60_000);

  it('rejects a split that leaves a worker nothing to do', async () => {
    const result = await runCli(['--target', '127.0.0.1:1', ...LOAD, '--workers', '4', '-c', '2']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('--concurrency (2) must be >= --workers (4)');
  }, 30_000);
});
