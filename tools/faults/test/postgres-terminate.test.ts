// Every Postgres connection of the test's database terminated (pg_terminate_backend), several
// times, under Publish and RecordEngagement load: ingest stays up, recovers, and every write it
// acknowledged is in the tables afterwards.
import { IngestService } from '@feedmesh/contracts';
import { createPgPool, databaseNameOf } from '@feedmesh/storage';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  clientOf,
  describeCalls,
  now,
  openLoop,
  outcomeCounts,
  recoveryAfter,
  sleep,
  startedBetween,
  startFaultEnvironment,
  WriteLedger,
  type CallRecord,
  type FaultClient,
  type FaultEnvironment,
} from '../src/index.js';

const KILLS = 4;
const KILL_EVERY_MS = 1_500;
const AFTER_MS = 5_000;
const RECOVERY_LIMIT_MS = 2_000;
const CATCH_UP_MS = 20_000;

let env: FaultEnvironment;
let ingest: FaultClient<typeof IngestService>;
let admin: pg.Pool;
const ledger = new WriteLedger();
let writes: CallRecord[];
let lastKillAt: number;
let terminated = 0;

beforeAll(async () => {
  env = await startFaultEnvironment(['ingest']);
  ingest = clientOf(IngestService, env.mesh.address('ingest'), 'grpc');
  // On the maintenance database, so terminating the test database's sessions spares this one.
  admin = createPgPool({ connectionString: env.databaseUrl.replace(/\/[^/]+$/, '/postgres'), max: 1 });
  const { rows } = await env.pool.query<{ id: string }>('SELECT id FROM items ORDER BY id LIMIT 200');
  const itemIds = rows.map((r) => r.id);
  const publish = openLoop(ledger.publishCall(ingest, env.users.slice(0, 10)), { rate: 10 });
  const engage = openLoop(ledger.engagementCall(ingest, env.users, itemIds), { rate: 10 });
  await sleep(2_000);
  for (let i = 0; i < KILLS; i++) {
    lastKillAt = now();
    const killed = await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [databaseNameOf(env.databaseUrl)]);
    terminated += killed.rowCount ?? 0;
    await sleep(KILL_EVERY_MS);
  }
  await sleep(AFTER_MS - KILL_EVERY_MS);
  writes = [...(await publish.stop()), ...(await engage.stop())];
  const recovery = recoveryAfter(writes, lastKillAt);
  console.log(
    `[faults] postgres: ${terminated} backends terminated in ${KILLS} rounds; writes during ${JSON.stringify(outcomeCounts(startedBetween(writes, 0, lastKillAt + 1)))}, ` +
      `after the last ${JSON.stringify(outcomeCounts(startedBetween(writes, lastKillAt, Infinity)))}; recovery ${recovery.recoveryMs === Infinity ? 'none' : `${Math.round(recovery.recoveryMs)} ms`} after the last kill; ` +
      `acknowledged ${ledger.publishes.length} publishes, ${ledger.engagements.length} engagement records`,
  );
});

afterAll(async () => {
  ingest?.close();
  await admin?.end();
  await env?.close();
});

describe('Postgres connections terminated under write load', () => {
  it('terminated ingest connections (the scenario is valid)', () => {
    expect(terminated).toBeGreaterThanOrEqual(KILLS);
  });

  it('ingest stays up', () => {
    const app = env.mesh.app('ingest');
    expect(env.mesh.isRunning('ingest'), app.logs.filter((l) => /"level":"(error|fatal)"|Unhandled|rror:/.test(l)).slice(-5).join('\n')).toBe(true);
  });

  it('refuses writes it cannot do cleanly (Unavailable, Aborted, DeadlineExceeded), never Internal', () => {
    const wrong = writes.filter((r) => !['OK', 'Unavailable', 'Aborted', 'DeadlineExceeded'].includes(r.code));
    expect(wrong.length, describeCalls(wrong)).toBe(0);
  });

  it(`accepts every write within ${RECOVERY_LIMIT_MS} ms of the last kill`, () => {
    const recovery = recoveryAfter(writes, lastKillAt);
    const detail = `recovered after ${recovery.recoveryMs} ms; after the last kill ${describeCalls(startedBetween(writes, lastKillAt, Infinity))}`;
    expect(recovery.recoveryMs, detail).toBeLessThanOrEqual(RECOVERY_LIMIT_MS);
    expect(recovery.healthyForMs, detail).toBeGreaterThanOrEqual(AFTER_MS - RECOVERY_LIMIT_MS - 500);
  });

  it('every acknowledged Publish is in items and every acknowledged engagement record in engagement_events', async () => {
    expect(ledger.publishes.length).toBeGreaterThan(0);
    expect(ledger.engagements.length).toBeGreaterThan(0);
    expect(await ledger.missingPublishes(env.pool)).toEqual([]);
    expect(await ledger.missingEngagements(env.pool)).toBe(0);
  });

  it(`the outbox applies every acknowledged publish to Redis within ${CATCH_UP_MS / 1000} s (failed jobs retried)`, async () => {
    const { missing, tookMs } = await ledger.waitForOutbox(env.redis.url, CATCH_UP_MS);
    console.log(`[faults] postgres: outbox ${missing.length === 0 ? `caught up ${Math.round(tookMs)} ms after the load stopped` : `still missing ${missing.length} of ${ledger.publishes.length} after ${CATCH_UP_MS} ms`}`);
    expect(missing.length, `${missing.length} of ${ledger.publishes.length} acknowledged publishes never reached Redis`).toBe(0);
  }, CATCH_UP_MS + 10_000);
});
