// What the rendered manifests hand each process is accepted by that process: its settings pass
// its own validation, and the migration Job's command migrates a database.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { dropDatabase } from '@feedmesh/storage';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { checkAppEnv, repoRoot } from '../src/env-inventory.js';
import { renderOverlay, type Manifest } from '../src/manifests.js';

interface EnvEntry {
  name: string;
  value?: string;
  valueFrom?: { secretKeyRef?: { name: string; key: string }; fieldRef?: { fieldPath: string } };
}
interface Container {
  name: string;
  command?: string[];
  env?: EnvEntry[];
  envFrom?: { configMapRef?: { name: string } }[];
}

const containersOf = (object: Manifest) => ((object.spec as { template: { spec: { containers: Container[] } } }).template.spec.containers);

/** The environment a container would get, with Secrets from the objects or, when they live outside (production), `secretValue`. */
function environmentOf(objects: Manifest[], container: Container, secretValue: (key: string) => string): Record<string, string> {
  const byName = (kind: string, name: string) => objects.find((o) => o.kind === kind && o.metadata.name === name) as (Manifest & { data?: Record<string, string>; stringData?: Record<string, string> }) | undefined;
  const env: Record<string, string> = {};
  for (const source of container.envFrom ?? []) Object.assign(env, byName('ConfigMap', source.configMapRef!.name)?.data);
  for (const entry of container.env ?? []) {
    const ref = entry.valueFrom?.secretKeyRef;
    if (ref) env[entry.name] = byName('Secret', ref.name)?.stringData?.[ref.key] ?? secretValue(ref.key);
    else if (entry.valueFrom?.fieldRef) env[entry.name] = 'pod-0';
    else env[entry.name] = entry.value ?? '';
  }
  return env;
}

// What an operator would put in a production Secret, in the right shape.
const productionSecrets: Record<string, string> = {
  DATABASE_URL: 'postgres://feedmesh:pw@db.internal:5432/feedmesh',
  AUTH_TOKEN_SECRET: 'a-production-secret-of-at-least-32-bytes-0123',
  MESH_TOKEN_SECRET: 'a-production-mesh-secret-of-at-least-32-bytes',
  CURSOR_SECRETS: 'cursor-secret-of-16-bytes-or-more',
  REDIS_CLUSTER_NODES: 'redis-0.internal:6379,redis-1.internal:6379',
};

describe("each app's rendered settings", () => {
  for (const overlay of ['local', 'production'] as const) {
    it(`pass the app's own validation (${overlay})`, () => {
      const objects = renderOverlay(overlay).flatMap((f) => f.objects);
      const apps = objects.filter((o) => (o.kind === 'Deployment' || o.kind === 'StatefulSet') && o.metadata.labels?.['app.kubernetes.io/part-of'] === 'feedmesh');
      expect(apps.map((o) => o.metadata.name).sort()).toEqual(['aggregator', 'ingest', 'ingest-worker', 'ranking', 'recall', 'render']);
      for (const workload of apps) {
        for (const container of containersOf(workload)) {
          const env = environmentOf(objects, container, (key) => productionSecrets[key] ?? '');
          expect(() => checkAppEnv(container.name, env), container.name).not.toThrow();
        }
      }
    });
  }

  it('are refused by the app when a value is wrong (a choice it does not have)', () => {
    const objects = renderOverlay('local').flatMap((f) => f.objects);
    const aggregator = objects.find((o) => o.kind === 'Deployment' && o.metadata.name === 'aggregator')!;
    const env = environmentOf(objects, containersOf(aggregator)[0]!, () => '');
    expect(() => checkAppEnv('aggregator', { ...env, FEED_DEBUG: 'everyone' })).toThrow(/FEED_DEBUG/);
  });
});

describe('the migration Job', () => {
  const DATABASE_URL = `postgres://postgres@127.0.0.1:5432/feedmesh_test_k8s_migrate_${process.pid}_${Date.now()}`;
  afterAll(() => dropDatabase(DATABASE_URL));

  it('creates and migrates a database with its command, run from the checkout as from the image', async () => {
    const job = renderOverlay('production')
      .flatMap((f) => f.objects)
      .find((o) => o.kind === 'Job')!;
    const [command, ...args] = containersOf(job)[0]!.command!;
    expect(command).toBe('node');
    // The image's WORKDIR /app holds the repository's layout (apps/ingest/dist, libs/...).
    const { stdout } = await promisify(execFile)(process.execPath, args, { cwd: repoRoot, env: { ...process.env, DATABASE_URL }, timeout: 60_000 });
    expect(stdout.trim()).toBe('migrated');
    const client = new pg.Client({ connectionString: DATABASE_URL });
    await client.connect();
    try {
      const { rows } = await client.query<{ n: string }>('SELECT count(*) AS n FROM pgmigrations');
      expect(Number(rows[0]!.n)).toBeGreaterThan(0);
      const outbox = await client.query("SELECT 1 FROM information_schema.schemata WHERE schema_name = 'graphile_worker'");
      expect(outbox.rowCount).toBe(1);
    } finally {
      await client.end();
    }
  });
});
