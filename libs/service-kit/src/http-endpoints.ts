import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Registry } from 'prom-client';

export type ReadinessChecks = Record<string, () => Promise<unknown>>;

/** Runs every readiness check with a short timeout; a dependency that hangs counts as down. */
export async function checkReadiness(checks: ReadinessChecks, timeoutMs = 1_000): Promise<Record<string, string>> {
  const results: Record<string, string> = {};
  await Promise.all(
    Object.entries(checks).map(async ([name, check]) => {
      let timer: NodeJS.Timeout | undefined;
      try {
        await Promise.race([
          check(),
          new Promise((_, reject) => {
            timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms`)), timeoutMs);
          }),
        ]);
        results[name] = 'ok';
      } catch (error) {
        results[name] = (error as Error).message || 'failed';
      } finally {
        clearTimeout(timer);
      }
    }),
  );
  return results;
}

export interface OpsState {
  serving(): boolean;
  readiness: ReadinessChecks;
  registry: Registry;
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

/** GET /healthz (liveness), /readyz (readiness incl. dependencies), /metrics (Prometheus). */
export function handleOpsRequest(req: IncomingMessage, res: ServerResponse, state: OpsState): boolean {
  if (req.method !== 'GET') return false;
  const path = req.url?.split('?')[0];
  if (path === '/healthz') {
    json(res, 200, { status: 'ok' });
    return true;
  }
  if (path === '/readyz') {
    if (!state.serving()) {
      json(res, 503, { status: 'shutting_down' });
      return true;
    }
    void checkReadiness(state.readiness).then((checks) => {
      const ok = Object.values(checks).every((v) => v === 'ok');
      json(res, ok ? 200 : 503, { status: ok ? 'ready' : 'not_ready', checks });
    });
    return true;
  }
  if (path === '/metrics') {
    void state.registry.metrics().then(
      (text) => {
        res.writeHead(200, { 'content-type': state.registry.contentType });
        res.end(text);
      },
      (error: Error) => json(res, 500, { error: error.message }),
    );
    return true;
  }
  return false;
}
