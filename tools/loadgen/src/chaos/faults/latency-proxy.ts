// A TCP proxy between one app and one dependency (Postgres or Redis) that can hold back the
// dependency's replies: the app's DATABASE_URL / REDIS_URL points here instead of at the server.
// Only replies are delayed, so every request/response round trip gains `delayMs` once, and each
// chunk keeps its order (a chunk is never sent before the one received ahead of it).
import { connect, createServer, type AddressInfo, type Socket } from 'node:net';

export interface LatencyProxy {
  readonly port: number;
  /** Delay added to every chunk the dependency sends from now on; 0 passes them straight through. */
  setDelay(ms: number): void;
  close(): Promise<void>;
}

export async function startLatencyProxy(targetPort: number, targetHost = '127.0.0.1'): Promise<LatencyProxy> {
  let delayMs = 0;
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = connect(targetPort, targetHost);
    sockets.add(client).add(upstream);
    client.setNoDelay(true);
    upstream.setNoDelay(true);
    const closeBoth = (): void => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('error', closeBoth).on('close', closeBoth);
    upstream.on('error', closeBoth).on('close', closeBoth);
    client.pipe(upstream);
    // The earliest time the next reply chunk may go out: never before the previous one.
    let lastDueMs = 0;
    upstream.on('data', (chunk: Buffer) => {
      if (delayMs === 0 && lastDueMs <= performance.now()) {
        client.write(chunk);
        return;
      }
      const dueMs = Math.max(performance.now() + delayMs, lastDueMs);
      lastDueMs = dueMs;
      setTimeout(() => {
        if (!client.destroyed) client.write(chunk);
      }, dueMs - performance.now());
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    setDelay: (ms) => {
      delayMs = ms;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
