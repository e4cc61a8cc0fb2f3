import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { now } from './clock.js';
import { freePort } from './free-port.js';

/** A redis-server of the test's own, on a port of its own, that the test may stop and start. */
export interface RedisServer {
  readonly port: number;
  readonly url: string;
  /** Starts it again on the same port (from the snapshot `stop` wrote); resolves with the time it accepted connections. */
  start(): Promise<number>;
  /** SHUTDOWN SAVE: it exits after writing a snapshot, so `start` brings the same data back, as a restarted Redis with persistence does. */
  stop(): Promise<void>;
  /** Stops it for good and removes its directory. */
  destroy(): Promise<void>;
}

export async function startRedisServer(): Promise<RedisServer> {
  const port = await freePort();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'feedmesh-faults-redis-'));
  let child: ChildProcess | undefined;
  let output = '';

  const start = () =>
    new Promise<number>((resolve, reject) => {
      // No automatic persistence: the only snapshot is the one `stop` asks for.
      const proc = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, '--protected-mode', 'no'], {
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      child = proc;
      const timer = setTimeout(() => reject(new Error(`redis-server on ${port} not ready after 10 s:\n${output}`)), 10_000);
      const onData = (chunk: Buffer) => {
        output += chunk.toString();
        if (output.includes('Ready to accept connections')) {
          clearTimeout(timer);
          proc.stdout?.off('data', onData);
          resolve(now());
        }
      };
      output = '';
      proc.stdout?.on('data', onData);
      proc.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
      proc.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`redis-server on ${port} exited with ${code}:\n${output}`));
      });
    });

  const stop = async () => {
    const proc = child;
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
    await new Promise<void>((resolve) => {
      const socket = connect(port, '127.0.0.1', () => socket.end('SHUTDOWN SAVE\r\n'));
      socket.on('error', () => resolve());
      socket.on('close', () => resolve());
    });
    const timer = setTimeout(() => proc.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
  };

  await start();
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    start,
    stop,
    async destroy() {
      const proc = child;
      if (proc && proc.exitCode === null && proc.signalCode === null) {
        const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
        proc.kill('SIGKILL');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
