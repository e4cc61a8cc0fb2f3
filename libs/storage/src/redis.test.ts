import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createRedis, reconnectDelayMs, REDIS_DEFAULTS } from './redis.js';

describe('reconnectDelayMs', () => {
  it('starts at 50 ms and doubles', () => {
    expect([0, 1, 2, 3].map(reconnectDelayMs)).toEqual([50, 100, 200, 400]);
  });

  it('never waits more than 500 ms, however long the outage: Redis back means commands again within about half a second', () => {
    for (const attempt of [4, 5, 10, 100, 10_000]) expect(reconnectDelayMs(attempt)).toBeLessThanOrEqual(500);
    expect(REDIS_DEFAULTS.maxReconnectDelayMs).toBe(500);
  });
});

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

function redisServer(port: number): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const proc = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: ['ignore', 'pipe', 'ignore'] });
    let out = '';
    proc.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('Ready to accept connections')) resolve(proc);
    });
    proc.once('exit', (code) => reject(new Error(`redis-server exited with ${code}: ${out}`)));
  });
}

describe('createRedis after an outage', () => {
  const procs: ChildProcess[] = [];
  afterEach(() => {
    for (const p of procs.splice(0)) p.kill('SIGKILL');
  });

  it('is ready again within ~0.5 s of Redis coming back after 4 s down (the 2 s promise of the apps that need it)', async () => {
    const port = await freePort();
    procs.push(await redisServer(port));
    const client = createRedis({ url: `redis://127.0.0.1:${port}` });
    client.on('error', () => {});
    try {
      await new Promise<void>((resolve) => client.once('ready', () => resolve()));
      procs.pop()!.kill('SIGKILL');
      await new Promise((resolve) => setTimeout(resolve, 4_000));
      procs.push(await redisServer(port));
      const backAt = performance.now();
      await new Promise<void>((resolve) => (client.status === 'ready' ? resolve() : client.once('ready', () => resolve())));
      expect(performance.now() - backAt).toBeLessThan(800);
      expect(await client.ping()).toBe('PONG');
    } finally {
      client.disconnect();
    }
  });
});
