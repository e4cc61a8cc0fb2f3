import path from 'node:path';
import { spawnApp, type SpawnedApp } from '@feedmesh/service-kit';
import { now } from './clock.js';
import { freePort } from './free-port.js';
import { waitReady } from './readiness.js';

export type AppName = 'recall' | 'ranking' | 'render' | 'aggregator' | 'ingest';
export const LEAVES = ['recall', 'ranking', 'render'] as const;

const appsDir = path.join(__dirname, '..', '..', '..', 'apps');
const entryOf = (app: AppName) => path.join(appsDir, app, 'dist', 'main.js');

export const CURSOR_SECRET = 'fault-suite-cursor-secret-0123456789';

export interface FaultMeshOptions {
  databaseUrl: string;
  redisUrl: string;
  /** Which apps run (the aggregator needs the three leaves). */
  apps: readonly AppName[];
  /** Extra environment per app, on top of the shipped defaults. */
  env?: Partial<Record<AppName, Record<string, string>>>;
}

/**
 * The mesh from the built `dist/main.js` files, each app on a port fixed for the run, so a
 * killed app comes back on the address its callers already hold (as a pod behind a Service).
 * Only what wiring needs is set: everything else (breakers, backoff, timeouts) is the apps' defaults.
 */
export class FaultMesh {
  private readonly running = new Map<AppName, SpawnedApp>();
  private constructor(
    private readonly options: FaultMeshOptions,
    readonly ports: Readonly<Record<AppName, number>>,
  ) {}

  static async start(options: FaultMeshOptions): Promise<FaultMesh> {
    const ports = Object.fromEntries(await Promise.all((['recall', 'ranking', 'render', 'aggregator', 'ingest'] as const).map(async (a) => [a, await freePort()]))) as Record<AppName, number>;
    const mesh = new FaultMesh(options, ports);
    try {
      // Leaves first: the aggregator's clients connect lazily, but its first pages should find them.
      await Promise.all(options.apps.filter((a) => a !== 'aggregator').map((a) => mesh.start(a)));
      if (options.apps.includes('aggregator')) await mesh.start('aggregator');
    } catch (error) {
      await mesh.stopAll();
      throw error;
    }
    return mesh;
  }

  address(app: AppName): string {
    return `127.0.0.1:${this.ports[app]}`;
  }

  app(app: AppName): SpawnedApp {
    const spawned = this.running.get(app);
    if (!spawned) throw new Error(`${app} is not running`);
    return spawned;
  }

  private envOf(app: AppName): Record<string, string> {
    const base: Record<string, string> = {
      PORT: String(this.ports[app]),
      DATABASE_URL: this.options.databaseUrl,
      REDIS_URL: this.options.redisUrl,
      MIGRATE_ON_START: 'false',
      LOG_LEVEL: 'warn',
    };
    const own: Record<AppName, Record<string, string>> = {
      recall: {},
      ranking: {},
      render: {},
      aggregator: { RECALL_ADDR: this.address('recall'), RANKING_ADDR: this.address('ranking'), RENDER_ADDR: this.address('render'), CURSOR_SECRETS: CURSOR_SECRET },
      // The outbox schema is ingest's to create; one worker name across restarts unlocks its jobs.
      ingest: { MIGRATE_ON_START: 'true', INGEST_WORKER_INSTANCE: `faults-ingest-${this.ports.ingest}` },
    };
    return { ...base, ...own[app], ...this.options.env?.[app] };
  }

  /** Spawns the app on its port and resolves once /readyz answers 200, with that time. */
  async start(app: AppName): Promise<number> {
    const spawned = await spawnApp(entryOf(app), this.envOf(app), { name: app, timeoutMs: 30_000 });
    this.running.set(app, spawned);
    return waitReady(this.ports[app]);
  }

  /** kill -9; resolves once the process is gone, with the time the signal was sent. */
  async kill(app: AppName): Promise<number> {
    const spawned = this.app(app);
    const at = now();
    await spawned.stop('SIGKILL');
    this.running.delete(app);
    return at;
  }

  /** Sends `signal` and returns at once: the time it was sent and the exit to wait for. */
  signal(app: AppName, signal: NodeJS.Signals): { atMs: number; exited: Promise<number | null> } {
    const spawned = this.app(app);
    this.running.delete(app);
    const atMs = now();
    return { atMs, exited: spawned.stop(signal) };
  }

  isRunning(app: AppName): boolean {
    const spawned = this.running.get(app);
    return spawned !== undefined && spawned.child.exitCode === null && spawned.child.signalCode === null;
  }

  async stopAll(): Promise<void> {
    await Promise.all([...this.running.values()].map((a) => a.stop('SIGKILL')));
    this.running.clear();
  }
}
