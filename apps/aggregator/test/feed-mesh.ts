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

export interface Mesh {
  recall: SpawnedApp;
  ranking: SpawnedApp;
  render: SpawnedApp;
  aggregator: SpawnedApp;
  stopAll(): Promise<void>;
}

/** The read path; `recallEnv` adds settings such as RECALL_SOURCE_DELAY_MS_<NAME>. */
export async function startMesh(env: MeshEnv, recallEnv: Record<string, string> = {}): Promise<Mesh> {
  const base = commonEnv(env);
  const [recall, ranking, render] = await Promise.all([
    spawnApp(entryOf('recall'), { ...base, ...recallEnv }, { name: 'recall', timeoutMs: 30_000 }),
    spawnApp(entryOf('ranking'), base, { name: 'ranking', timeoutMs: 30_000 }),
    spawnApp(entryOf('render'), base, { name: 'render', timeoutMs: 30_000 }),
  ]);
  const aggregator = await spawnApp(
    entryOf('aggregator'),
    {
      ...base,
      RECALL_ADDR: recall.address,
      RANKING_ADDR: ranking.address,
      RENDER_ADDR: render.address,
      CURSOR_SECRETS: cursorSecret,
      BREAKER_VOLUME_THRESHOLD: '3',
      BREAKER_RESET_MS: '60000',
    },
    { name: 'aggregator', timeoutMs: 30_000 },
  );
  const apps = [aggregator, recall, ranking, render];
  return {
    recall,
    ranking,
    render,
    aggregator,
    stopAll: async () => {
      await Promise.all(apps.map((a) => a.stop()));
    },
  };
}
