import { request } from 'node:http';
import { now, sleep } from './clock.js';

/** GET /readyz on a fresh connection; the status code, or 0 when nothing answered (refused, reset, timeout). */
export function readyzStatus(port: number, timeoutMs = 500): Promise<number> {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, path: '/readyz', agent: false, timeout: timeoutMs, headers: { connection: 'close' } }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(0));
    req.end();
  });
}

/** Polls /readyz every `intervalMs` until it answers 200; resolves with the time it first did. */
export async function waitReady(port: number, { timeoutMs = 30_000, intervalMs = 20 } = {}): Promise<number> {
  const deadline = now() + timeoutMs;
  for (;;) {
    if ((await readyzStatus(port)) === 200) return now();
    if (now() > deadline) throw new Error(`port ${port} not ready after ${timeoutMs} ms`);
    await sleep(intervalMs);
  }
}
