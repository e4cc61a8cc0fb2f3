import { fork, type ChildProcess } from 'node:child_process';

export interface SpawnedApp {
  readonly name: string;
  readonly port: number;
  /** host:port for clients. */
  readonly address: string;
  readonly child: ChildProcess;
  /** Every stdout/stderr line so far (JSON log lines from pino). */
  readonly logs: string[];
  /** Sends a signal and resolves with the exit code once the process is gone. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/**
 * Forks an app's built entry point (e.g. `apps/recall/dist/main.js`) on an ephemeral port with the
 * same Node binary as the caller, and resolves when it reports that it is listening. The drain
 * delay is 0 unless `env` sets SHUTDOWN_DELAY_MS: it waits for load balancers, which tests lack;
 * authentication is off unless `env` sets AUTH_MODE (the identity tests do).
 */
export function spawnApp(entry: string, env: Record<string, string> = {}, options: { name?: string; timeoutMs?: number } = {}): Promise<SpawnedApp> {
  const name = options.name ?? entry;
  const child = fork(entry, [], {
    env: { ...process.env, PORT: '0', LOG_LEVEL: 'info', SHUTDOWN_DELAY_MS: '0', AUTH_MODE: 'off', ...env },
    execPath: process.execPath,
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  const logs: string[] = [];
  const collect = (chunk: Buffer) => logs.push(...chunk.toString().split('\n').filter(Boolean));
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${name} did not start within ${options.timeoutMs ?? 15_000} ms:\n${logs.join('\n')}`));
    }, options.timeoutMs ?? 15_000);
    const onEarlyExit = (code: number | null) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited with ${code} before listening:\n${logs.join('\n')}`));
    };
    child.once('exit', onEarlyExit);
    child.on('message', (message: { type?: string; port?: number }) => {
      if (message?.type !== 'listening' || !message.port) return;
      clearTimeout(timer);
      child.off('exit', onEarlyExit);
      const port = message.port;
      resolve({
        name,
        port,
        address: `127.0.0.1:${port}`,
        child,
        logs,
        stop: (signal = 'SIGTERM') => {
          if (child.exitCode === null && child.signalCode === null) child.kill(signal);
          return exited;
        },
      });
    });
  });
}
