// The real apps, started from their built dist/main.js, and the checks that they survived.
import { createRequire } from 'node:module';
import path from 'node:path';
import { spawnApp, type SpawnedApp } from '@feedmesh/service-kit';

const require = createRequire(import.meta.url);

export function entryOf(app: 'aggregator' | 'ingest' | 'recall' | 'ranking' | 'render'): string {
  return path.join(path.dirname(require.resolve(`@feedmesh/${app}/package.json`)), 'dist', 'main.js');
}

export function storesEnv(databaseUrl: string, redisUrl: string): Record<string, string> {
  return { DATABASE_URL: databaseUrl, REDIS_URL: redisUrl, MIGRATE_ON_START: 'false', LOG_LEVEL: 'warn' };
}

export interface ReadPath {
  recall: SpawnedApp;
  ranking: SpawnedApp;
  render: SpawnedApp;
  aggregator: SpawnedApp;
  all: SpawnedApp[];
}

export async function startReadPath(env: Record<string, string>): Promise<ReadPath> {
  const [recall, ranking, render] = await Promise.all(
    (['recall', 'ranking', 'render'] as const).map((name) => spawnApp(entryOf(name), env, { name, timeoutMs: 30_000 })),
  );
  const aggregator = await spawnApp(
    entryOf('aggregator'),
    { ...env, RECALL_ADDR: recall!.address, RANKING_ADDR: ranking!.address, RENDER_ADDR: render!.address, CURSOR_SECRETS: 'fuzz-test-cursor-secret' },
    { name: 'aggregator', timeoutMs: 30_000 },
  );
  return { recall: recall!, ranking: ranking!, render: render!, aggregator, all: [aggregator, recall!, ranking!, render!] };
}

/** Which app exited, if any: checked after every case, so a crash stops the run at its cause. */
export function exitedApp(apps: readonly SpawnedApp[]): string | undefined {
  const gone = apps.find((a) => a.child.exitCode !== null || a.child.signalCode !== null);
  if (!gone) return undefined;
  const tail = gone.logs.slice(-5).join('\n    ');
  return `${gone.name} exited (code ${gone.child.exitCode}, signal ${gone.child.signalCode}); last log lines:\n    ${tail}`;
}

/** Every app still running and answering /readyz with 200 ("alive and healthy afterwards"). */
export async function unhealthyApps(apps: readonly SpawnedApp[]): Promise<string[]> {
  const problems: string[] = [];
  const exited = exitedApp(apps);
  if (exited) problems.push(exited);
  for (const app of apps) {
    if (app.child.exitCode !== null || app.child.signalCode !== null) continue;
    try {
      const response = await fetch(`http://${app.address}/readyz`, { signal: AbortSignal.timeout(5_000) });
      if (response.status !== 200) problems.push(`${app.name} /readyz answered ${response.status}: ${(await response.text()).slice(0, 200)}`);
    } catch (error) {
      problems.push(`${app.name} /readyz: ${(error as Error).message}`);
    }
  }
  return problems;
}

/** Log lines where an app reported an unhandled error, a crash in all but name. */
export function handlerErrors(apps: readonly SpawnedApp[]): string[] {
  return apps.flatMap((a) => a.logs.filter((l) => /unhandled|uncaught/i.test(l)).map((l) => `${a.name}: ${l.slice(0, 300)}`));
}
