import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Counter, Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkReadiness, handleOpsRequest, type OpsState } from './http-endpoints.js';

const never = () => new Promise<never>(() => {});

describe('checkReadiness', () => {
  it('reports ok, the failure message, or a timeout for a check that hangs', async () => {
    const results = await checkReadiness(
      {
        postgres: () => Promise.resolve('ok'),
        redis: () => Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:6379')),
        search: never,
      },
      50,
    );
    expect(results).toEqual({ postgres: 'ok', redis: 'connect ECONNREFUSED 127.0.0.1:6379', search: 'timed out after 50 ms' });
  });

  it('is ready with no checks at all', async () => {
    expect(await checkReadiness({})).toEqual({});
  });
});

describe('handleOpsRequest', () => {
  const registry = new Registry();
  new Counter({ name: 'test_requests_total', help: 'test', registers: [registry] }).inc(3);
  const state: OpsState & { up: boolean; checks: OpsState['readiness'] } = {
    up: true,
    checks: {},
    serving: () => state.up,
    get readiness() {
      return state.checks;
    },
    registry,
  };
  let server: Server;
  let base: string;

  beforeAll(async () => {
    server = createServer((req, res) => {
      if (!handleOpsRequest(req, res, state)) res.writeHead(404).end('not ops');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const get = async (path: string, init?: RequestInit) => {
    const response = await fetch(base + path, init);
    return { status: response.status, type: response.headers.get('content-type'), text: await response.text() };
  };

  it('answers /healthz while the process lives', async () => {
    expect(await get('/healthz')).toMatchObject({ status: 200, text: '{"status":"ok"}' });
  });

  it('answers /readyz 200 when every check passes, 503 naming the one that does not', async () => {
    state.checks = { postgres: () => Promise.resolve() };
    const ready = await get('/readyz?verbose=1');
    expect(ready.status).toBe(200);
    expect(JSON.parse(ready.text)).toEqual({ status: 'ready', checks: { postgres: 'ok' } });

    state.checks = { postgres: () => Promise.resolve(), redis: () => Promise.reject(new Error('NOAUTH')) };
    const notReady = await get('/readyz');
    expect(notReady.status).toBe(503);
    expect(JSON.parse(notReady.text)).toEqual({ status: 'not_ready', checks: { postgres: 'ok', redis: 'NOAUTH' } });
  });

  it('answers /readyz 503 while shutting down, without running the checks', async () => {
    let ran = false;
    state.checks = { postgres: async () => void (ran = true) };
    state.up = false;
    try {
      const draining = await get('/readyz');
      expect(draining.status).toBe(503);
      expect(JSON.parse(draining.text)).toEqual({ status: 'shutting_down' });
      expect(ran).toBe(false);
    } finally {
      state.up = true;
    }
  });

  it('serves the registry on /metrics in the Prometheus text format', async () => {
    const metrics = await get('/metrics');
    expect(metrics.status).toBe(200);
    expect(metrics.type).toBe(registry.contentType);
    expect(metrics.text).toContain('test_requests_total 3');
  });

  it('leaves other paths and methods to the caller', async () => {
    expect(await get('/feedmesh.feed.v1.FeedService/GetFeed')).toMatchObject({ status: 404, text: 'not ops' });
    expect(await get('/healthz', { method: 'POST' })).toMatchObject({ status: 404, text: 'not ops' });
  });
});
