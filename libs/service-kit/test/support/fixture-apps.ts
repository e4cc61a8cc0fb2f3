import { join } from 'node:path';
import { spawnApp, type SpawnedApp } from '@feedmesh/service-kit';

const fixtures = join(__dirname, '..', 'fixtures');
export const leafEntry = join(fixtures, 'leaf-app.cjs');
export const edgeEntry = join(fixtures, 'edge-app.cjs');
/** Where the repository's .proto contracts live, for clients that do not use our generated code. */
export const protoRoot = join(__dirname, '..', '..', '..', '..', 'proto');

/** The fixtures only run `SELECT 1` and `PING`; Redis db 12 is the kit's (see notes/apps.md). */
export const storageEnv = {
  DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/test',
  REDIS_URL: 'redis://127.0.0.1:6379/12',
};

export function startLeaf(env: Record<string, string> = {}): Promise<SpawnedApp> {
  return spawnApp(leafEntry, { ...storageEnv, ...env }, { name: 'leaf' });
}

export function startEdge(leaf: SpawnedApp, env: Record<string, string> = {}): Promise<SpawnedApp> {
  return spawnApp(edgeEntry, { LEAF_ADDR: leaf.address, ...env }, { name: 'edge' });
}

/** Polls until `predicate` holds, failing with `what` after `timeoutMs`. */
export async function eventually<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, timeoutMs = 5_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > until) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** The JSON log lines of an app, parsed. */
export function logLines(app: SpawnedApp): Array<Record<string, unknown>> {
  return app.logs.flatMap((line) => {
    try {
      return [JSON.parse(line) as Record<string, unknown>];
    } catch {
      return [];
    }
  });
}
