// Starts the four read-path apps from their built dist/main.js against a fresh database and
// Redis db 10, with traces exported to the test's collector.
import path from 'node:path';
import { spawnApp, type SpawnedApp } from '@feedmesh/service-kit';

const appsDir = path.join(__dirname, '..', '..');
export const entryOf = (app: string) => path.join(appsDir, app, 'dist', 'main.js');

export const cursorSecret = 'integration-test-cursor-secret';

export interface MeshEnv {
  databaseUrl: string;
  redisUrl: string;
  otlpEndpoint: string;
}

export function commonEnv({ databaseUrl, redisUrl, otlpEndpoint }: MeshEnv): Record<string, string> {
  return {
    DATABASE_URL: databaseUrl,
    REDIS_URL: redisUrl,
    MIGRATE_ON_START: 'false',
    LOG_LEVEL: 'warn',
    OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
    OTEL_EXPORTER_OTLP_ENDPOINT: otlpEndpoint,
    OTEL_BSP_SCHEDULE_DELAY: '100',
  };
}

export type Leaf = 'recall' | 'ranking' | 'render';

export interface Mesh {
  recall: SpawnedApp;
  ranking: SpawnedApp;
  render: SpawnedApp;
  aggregator: SpawnedApp;
  /** kill -9 of a leaf; resolves once it is gone. */
  kill(leaf: Leaf): Promise<void>;
  /** Starts a killed leaf again on its old port with its old settings; resolves when it listens. */
  restart(leaf: Leaf): Promise<SpawnedApp>;
  stopAll(): Promise<void>;
}

export interface MeshOptions {
  /** Settings such as RECALL_SOURCE_DELAY_MS_<NAME> (with FEEDMESH_TEST_HOOKS=enable). */
  recallEnv?: Record<string, string>;
  /** Replaces the aggregator's test settings (e.g. the breaker's), on top of the common ones. */
  aggregatorEnvSpec?: Record<string, string>;
  /** Settings every app of the mesh gets (e.g. identity's AUTH_* and MESH_*). */
  everyApp?: Record<string, string>;
}

/** The read path; by default the aggregator's breaker opens early and stays open for a minute. */
export async function startMesh(env: MeshEnv, { recallEnv = {}, aggregatorEnvSpec, everyApp = {} }: MeshOptions = {}): Promise<Mesh> {
  const base = { ...commonEnv(env), ...everyApp };
  const leafEnv: Record<Leaf, Record<string, string>> = { recall: { ...base, ...recallEnv }, ranking: base, render: base };
  const spawnLeaf = (leaf: Leaf, extra: Record<string, string> = {}) => spawnApp(entryOf(leaf), { ...leafEnv[leaf], ...extra }, { name: leaf, timeoutMs: 30_000 });
  const [recall, ranking, render] = await Promise.all([spawnLeaf('recall'), spawnLeaf('ranking'), spawnLeaf('render')]);
  const aggregator = await spawnApp(
    entryOf('aggregator'),
    {
      ...base,
      RECALL_ADDR: recall.address,
      RANKING_ADDR: ranking.address,
      RENDER_ADDR: render.address,
      CURSOR_SECRETS: cursorSecret,
      ...(aggregatorEnvSpec ?? { BREAKER_VOLUME_THRESHOLD: '3', BREAKER_RESET_MS: '60000' }),
    },
    { name: 'aggregator', timeoutMs: 30_000 },
  );
  const mesh: Mesh = {
    recall,
    ranking,
    render,
    aggregator,
    kill: async (leaf) => {
      await mesh[leaf].stop('SIGKILL');
    },
    restart: async (leaf) => {
      mesh[leaf] = await spawnLeaf(leaf, { PORT: String(mesh[leaf].port) });
      return mesh[leaf];
    },
    stopAll: async () => {
      await Promise.all([mesh.aggregator, mesh.recall, mesh.ranking, mesh.render].map((a) => a.stop()));
    },
  };
  return mesh;
}
