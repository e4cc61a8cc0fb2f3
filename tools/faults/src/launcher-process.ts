import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { sleep } from './clock.js';
import { tcpAccepts } from './listener-probe.js';

const launcherEntry = path.join(__dirname, '..', '..', 'dev', 'start-mesh.mjs');

/** `npm start`'s launcher (tools/dev/start-mesh.mjs) as a process of the test, its output kept. */
export interface LauncherProcess {
  readonly child: ChildProcess;
  /** Everything it printed so far, stdout and stderr interleaved. */
  output(): string;
  /** Resolves once its output contains text; rejects when it exits first or after timeoutMs. */
  waitFor(text: string, timeoutMs: number): Promise<void>;
  /** Resolves with its exit code (or signal name). */
  readonly exited: Promise<number | string>;
}

export function startLauncher(env: NodeJS.ProcessEnv): LauncherProcess {
  const child = spawn(process.execPath, [launcherEntry], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | string>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown')));
  let hasExited = false;
  void exited.then(() => (hasExited = true));
  return {
    child,
    output: () => output,
    exited,
    async waitFor(text, timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      while (!output.includes(text)) {
        if (hasExited) throw new Error(`the launcher exited before printing "${text}":\n${output.slice(-4_000)}`);
        if (Date.now() > deadline) throw new Error(`the launcher did not print "${text}" within ${timeoutMs} ms:\n${output.slice(-4_000)}`);
        await sleep(100);
      }
    },
  };
}

/** The pids of pid's children (Linux /proc): the processes a launcher would leave behind. */
export function childPidsOf(pid: number): number[] {
  const children: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // Field 4 of /proc/PID/stat is the parent pid; the command name before it may hold spaces.
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (parent === pid) children.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return children;
}

/** The pids of pids that are still alive. */
export function alivePids(pids: number[]): number[] {
  return pids.filter((pid) => {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  });
}

/** A run of `count` consecutive ports on 127.0.0.1 where nothing listens now, from a random start. */
export async function freePortRun(count: number): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    // Below the ephemeral range (32768 and up), where the OS hands out ports on its own.
    const first = 20_000 + Math.floor(Math.random() * 12_000);
    const taken = await Promise.all(Array.from({ length: count }, (_, i) => tcpAccepts(first + i, 200)));
    if (!taken.some(Boolean)) return first;
  }
  throw new Error(`no run of ${count} free ports found`);
}
