// The five apps of the mesh, spawned from their built dist/main.js against one database.
import path from 'node:path';
import { spawnApp, type SpawnedApp } from '@feedmesh/service-kit';

export const MESH_APPS = ['aggregator', 'recall', 'ranking', 'render', 'ingest'] as const;
export type MeshAppName = (typeof MESH_APPS)[number];

export interface RunningMesh {
  apps: Record<MeshAppName, SpawnedApp>;
  /** The aggregator's host:port. */
  address: string;
  stop(): Promise<void>;
}

const entryOf = (name: MeshAppName, appsRoot = path.resolve(__dirname, '../../../apps')) => path.resolve(appsRoot, name, 'dist/main.js');

export interface MeshOptions {
  /** Write a V8 CPU profile of each app to `<dir>/<app>/` (`--cpu-prof`), flushed when the mesh stops. */
  cpuProfileDir?: string;
  /** The `apps/` folder to run (default: this checkout's), e.g. an older commit's worktree for an old-vs-new run. */
  appsRoot?: string;
  /** Settings every app gets (e.g. bench-auth.ts's identity settings). */
  env?: Record<string, string>;
}

export async function startMesh(env: { DATABASE_URL: string; REDIS_URL: string; LOG_LEVEL?: string }, options: MeshOptions = {}): Promise<RunningMesh> {
  const common = { ...env, LOG_LEVEL: env.LOG_LEVEL ?? 'error', MIGRATE_ON_START: 'false', ...options.env };
  const started: SpawnedApp[] = [];
  const profiling = (name: MeshAppName): Record<string, string> =>
    options.cpuProfileDir === undefined
      ? {}
      : { NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --cpu-prof --cpu-prof-dir=${path.resolve(options.cpuProfileDir, name)}`.trim() };
  const spawn = async (name: MeshAppName, extra: Record<string, string> = {}) => {
    const app = await spawnApp(entryOf(name, options.appsRoot), { ...common, ...profiling(name), ...extra }, { name, timeoutMs: 60_000 });
    started.push(app);
    return app;
  };
  const stop = async () => {
    await Promise.all(started.map((app) => app.stop()));
  };
  try {
    // The aggregator's dependencies first; they start in parallel.
    const [recall, ranking, render, ingest] = await Promise.all([
      spawn('recall'),
      spawn('ranking'),
      spawn('render'),
      // A worker name of its own, so a lease of another ingest on this database is not taken over.
      spawn('ingest', { INGEST_WORKER_INSTANCE: `bench-getfeed-${process.pid}` }),
    ]);
    const aggregator = await spawn('aggregator', { RECALL_ADDR: recall.address, RANKING_ADDR: ranking.address, RENDER_ADDR: render.address });
    return { apps: { aggregator, recall, ranking, render, ingest }, address: aggregator.address, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
