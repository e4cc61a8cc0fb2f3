// The outbox's lag on a real ingest's /metrics: jobs waiting in graphile-worker's queue (no
// worker runs here, INGEST_RUN_WORKER=false) show up as due jobs and as the oldest one's age.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { spawnApp, type SpawnedApp } from '@feedmesh/service-kit';
import { createPgPool, dropDatabase } from '@feedmesh/storage';
import type pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { MAIN_ENTRY } from './fixtures.js';

const databaseUrl = `postgres://postgres@127.0.0.1:5432/feedmesh_test_outbox_metrics_${randomBytes(4).toString('hex')}`;
const spoolDir = mkdtempSync(path.join(os.tmpdir(), 'outbox-metrics-spool-'));
let ingest: SpawnedApp;
let pool: pg.Pool;

beforeAll(async () => {
  // Redis db 6 is this test's (observability); it is only pinged here.
  ingest = await spawnApp(
    MAIN_ENTRY,
    { DATABASE_URL: databaseUrl, REDIS_URL: 'redis://127.0.0.1:6379/6', INGEST_RUN_WORKER: 'false', INGEST_SPOOL_DIR: spoolDir, LOG_LEVEL: 'warn' },
    { name: 'ingest', timeoutMs: 30_000 },
  );
  pool = createPgPool({ connectionString: databaseUrl, max: 1 });
});

afterAll(async () => {
  await ingest?.stop();
  await pool?.end();
  await dropDatabase(databaseUrl);
  rmSync(spoolDir, { recursive: true, force: true });
});

async function scrape(): Promise<string> {
  const response = await fetch(`http://127.0.0.1:${ingest.port}/metrics`);
  expect(response.status).toBe(200);
  return response.text();
}

const sample = (text: string, series: string) => {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `) || l.startsWith(`${series.replace(/\}$/, '')},`));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
};

it('an empty queue: no lag, no jobs', async () => {
  const text = await scrape();
  expect(sample(text, 'ingest_outbox_lag_seconds{app="ingest"}')).toBe(0);
  expect(sample(text, 'ingest_outbox_jobs{state="due",app="ingest"}')).toBe(0);
});

it('jobs nobody runs: due, and the lag is the oldest one’s wait', async () => {
  await pool.query(`SELECT graphile_worker.add_job('item_published', '{}'::json, run_at => now() - interval '90 seconds')`);
  await pool.query(`SELECT graphile_worker.add_job('item_published', '{}'::json, run_at => now() - interval '10 seconds')`);
  await pool.query(`SELECT graphile_worker.add_job('item_published', '{}'::json, run_at => now() + interval '1 hour')`);
  const text = await scrape();
  expect(sample(text, 'ingest_outbox_jobs{state="due",app="ingest"}')).toBe(2);
  expect(sample(text, 'ingest_outbox_jobs{state="scheduled",app="ingest"}')).toBe(1);
  const lag = sample(text, 'ingest_outbox_lag_seconds{app="ingest"}');
  expect(lag).toBeGreaterThanOrEqual(90);
  expect(lag).toBeLessThan(120);
});
