// The built CLI (dist/main.js) against the real ranking app, started from apps/ranking/dist on a
// fresh database: the load generator must speak to the kit's server as it does to the fixtures.
// Build first: `npx nx build @feedmesh/loadgen @feedmesh/ranking`.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { spawnApp, type SpawnedApp } from '@feedmesh/service-kit';
import { dropDatabase, ensureDatabase, migrate } from '@feedmesh/storage';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Report } from '../src/report.js';

const CLI = join(__dirname, '..', 'dist', 'main.js');
const RANKING = join(__dirname, '..', '..', '..', 'apps', 'ranking', 'dist', 'main.js');
const databaseUrl = `postgres://postgres@127.0.0.1:5432/feedmesh_test_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
const createdAtMs = Date.now() - 3_600_000;
const BODY = JSON.stringify({
  userId: '{{user}}',
  limit: 2,
  candidates: [
    { item: { id: '00000000-0000-4000-8000-000000000001', kind: 'ITEM_KIND_ARTICLE', authorId: 'author-1', createdAtMs: String(createdAtMs) }, recallScore: 0.5, sources: ['following'] },
    { item: { id: '00000000-0000-4000-8000-000000000002', kind: 'ITEM_KIND_VIDEO', authorId: 'author-2', createdAtMs: String(createdAtMs) }, recallScore: 0.9, sources: ['trending'] },
    { item: { id: '{{item}}', kind: 'ITEM_KIND_LIVE', authorId: 'author-3', createdAtMs: String(createdAtMs) }, recallScore: 0.1, sources: ['fresh'] },
  ],
});

let app: SpawnedApp | undefined;

beforeAll(async () => {
  await ensureDatabase(databaseUrl);
  await migrate(databaseUrl);
  app = await spawnApp(RANKING, { DATABASE_URL: databaseUrl, MIGRATE_ON_START: 'false', LOG_LEVEL: 'warn', RANKING_MODEL_WATCH: 'false' }, { name: 'ranking' });
}, 30_000);

afterAll(async () => {
  await app?.stop();
  await dropDatabase(databaseUrl);
}, 30_000);

function runCli(args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { timeout: 20_000 }, (error, stdout, stderr) => {
      resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : -1, stdout, stderr });
    });
  });
}

describe('feedmesh-loadgen against the real ranking app', () => {
  it('drives RankingService/Rank over gRPC and reports percentiles and its own CPU', async () => {
    const result = await runCli([
      '--target', app!.address, '--method', 'feedmesh.ranking.v1.RankingService/Rank', '--body', BODY,
      '--var', 'user=range:u1..u1000', '--var', 'item=uuid', '-c', '4', '--warmup', '300ms', '--duration', '2s', '--json',
    ]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout) as Report;
    expect(report).toMatchObject({ protocol: 'grpc', mode: 'closed-loop', concurrency: 4, target: app!.address });
    expect(report.requests.ok).toBeGreaterThan(0);
    expect(report.requests.errors).toBe(0);
    expect(report.errorsByCode).toEqual({});
    expect(report.errorRate).toBe(0);
    const latency = report.latencyMs;
    expect(latency.count).toBe(report.requests.ok);
    expect(latency.p50).toBeGreaterThan(0);
    expect(latency.p90).toBeGreaterThanOrEqual(latency.p50);
    expect(latency.p99).toBeGreaterThanOrEqual(latency.p90);
    expect(latency.p999).toBeGreaterThanOrEqual(latency.p99);
    expect(report.throughputRps).toBeGreaterThan(0);
    expect(report.clientCpu.usPerRequest).toBeGreaterThan(0);
    // The app served them: its own request metrics count at least the measured calls.
    const metrics = await (await fetch(`http://${app!.address}/metrics`)).text();
    const served = metrics
      .split('\n')
      .filter((line) => line.startsWith('rpc_server_duration_seconds_count') && line.includes('rpc_method="Rank"') && line.includes('rpc_grpc_status_code="OK"'))
      .reduce((sum, line) => sum + Number(line.split(' ').pop()), 0);
    expect(served).toBeGreaterThanOrEqual(report.requests.ok);
  }, 20_000);
});
