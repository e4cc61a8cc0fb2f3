import { createServer, connect, type AddressInfo, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLatencyProxy, type LatencyProxy } from './latency-proxy.js';

let echo: Server;
let proxy: LatencyProxy;

beforeAll(async () => {
  echo = createServer((socket) => socket.pipe(socket));
  await new Promise<void>((resolve) => echo.listen(0, '127.0.0.1', resolve));
  proxy = await startLatencyProxy((echo.address() as AddressInfo).port);
});

afterAll(async () => {
  await proxy.close();
  await new Promise((resolve) => echo.close(resolve));
});

/** Round trips of `rounds` one-line messages through the proxy, in order; resolves with each one's ms and the replies. */
async function roundTrips(rounds: number): Promise<{ ms: number[]; replies: string[] }> {
  const socket = connect(proxy.port, '127.0.0.1');
  await new Promise((resolve) => socket.once('connect', resolve));
  const ms: number[] = [];
  const replies: string[] = [];
  for (let i = 0; i < rounds; i++) {
    const sent = performance.now();
    const reply = new Promise<string>((resolve) => socket.once('data', (chunk: Buffer) => resolve(chunk.toString())));
    socket.write(`ping ${i}\n`);
    replies.push(await reply);
    ms.push(performance.now() - sent);
  }
  socket.destroy();
  return { ms, replies };
}

describe('latency proxy', () => {
  it('passes bytes straight through without a delay', async () => {
    const { ms, replies } = await roundTrips(5);
    expect(replies).toEqual(['ping 0\n', 'ping 1\n', 'ping 2\n', 'ping 3\n', 'ping 4\n']);
    expect(Math.min(...ms)).toBeLessThan(20);
  });

  it('adds the delay to every round trip once set, and removes it again', async () => {
    proxy.setDelay(60);
    const slowed = await roundTrips(3);
    proxy.setDelay(0);
    const fast = await roundTrips(3);
    expect(slowed.replies).toEqual(['ping 0\n', 'ping 1\n', 'ping 2\n']);
    for (const ms of slowed.ms) expect(ms).toBeGreaterThanOrEqual(58);
    expect(Math.min(...fast.ms)).toBeLessThan(20);
  });

  it('keeps reply chunks in order when the delay drops while some are held back', async () => {
    const socket = connect(proxy.port, '127.0.0.1');
    await new Promise((resolve) => socket.once('connect', resolve));
    let received = '';
    socket.on('data', (chunk: Buffer) => (received += chunk.toString()));
    proxy.setDelay(80);
    socket.write('first;');
    await new Promise((resolve) => setTimeout(resolve, 20));
    proxy.setDelay(0);
    socket.write('second;');
    await new Promise((resolve) => setTimeout(resolve, 150));
    socket.destroy();
    expect(received).toBe('first;second;');
  });
});
