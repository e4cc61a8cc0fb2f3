/**
 * CPU of the database servers the mesh talks to (Linux only, from /proc): the PostgreSQL server
 * (postmaster and every process it forked: backends, parallel workers, checkpointer, WAL writer…)
 * and redis-server.
 *
 * Method: a server's CPU at an instant is the CPU of the server process itself (utime + stime),
 * plus what its exited children have cost (cutime + cstime of the server: the kernel adds every
 * child it reaps, with that child's own reaped children), plus the CPU so far of the children
 * alive at that instant (their utime + stime + cutime + cstime). The difference of two such sums
 * is the CPU spent in between by the whole process tree, including backends that started and
 * exited in the window (a backend's whole life moves into the postmaster's cutime/cstime when it
 * is reaped; the part before the window was in the first sum as a live child). A child reaped
 * between reading the children and reading the server would be counted twice or not at all, so a
 * sample is retaken when the server's cutime/cstime changed while its children were read.
 *
 * The servers are shared with whatever else runs on the machine (other test runs, other
 * databases), so these figures are upper bounds on what the benchmark made them do. For Postgres
 * the backends connected to one database are also summed on their own (a lower bound for that
 * database: a backend that exited within the window is lost from it), see databaseBackendsDeltaUs.
 */
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import path from 'node:path';
import { readProcStat, ticksToUs, type ProcStat } from './proc-cpu.js';

export interface ProcessInfo {
  stat: ProcStat;
  /** /proc/<pid>/cmdline with its NULs as spaces, trimmed ('' for kernel threads or when unreadable). */
  cmdline: string;
}

export function readCmdline(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ').trim();
  } catch {
    return '';
  }
}

/** Every process in /proc (those that exit while it is read are skipped). */
export function listProcesses(): ProcessInfo[] {
  const processes: ProcessInfo[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readProcStat(Number(entry));
    if (stat !== undefined) processes.push({ stat, cmdline: readCmdline(stat.pid) });
  }
  return processes;
}

const isPostgres = (p: ProcessInfo) => p.stat.comm === 'postgres' || p.stat.comm === 'postmaster';

/**
 * The postmaster among `processes`: a `postgres` process whose parent is not one. With several
 * servers on the machine, the one whose postmaster.pid (in its data directory, from `-D` or its
 * working directory) names `port`; undefined when that does not single one out.
 */
export function findPostmaster(
  processes: readonly ProcessInfo[],
  port: number,
  readPidFile: (postmaster: ProcessInfo) => string | undefined = readPostmasterPidFile,
): ProcessInfo | undefined {
  const byPid = new Map(processes.map((p) => [p.stat.pid, p]));
  const postmasters = processes.filter((p) => {
    if (!isPostgres(p)) return false;
    const parent = byPid.get(p.stat.ppid);
    return parent === undefined || !isPostgres(parent);
  });
  if (postmasters.length <= 1) return postmasters[0];
  // postmaster.pid: line 1 the pid, line 4 the port.
  const matching = postmasters.filter((p) => readPidFile(p)?.split('\n')[3]?.trim() === String(port));
  return matching.length === 1 ? matching[0] : undefined;
}

function readPostmasterPidFile(postmaster: ProcessInfo): string | undefined {
  const args = postmaster.cmdline.split(' ');
  const flag = args.indexOf('-D');
  let dataDir = flag >= 0 ? args[flag + 1] : undefined;
  try {
    // The postmaster works in its data directory (readable for the same user or root).
    dataDir ??= readlinkSync(`/proc/${postmaster.stat.pid}/cwd`);
    return readFileSync(path.join(dataDir, 'postmaster.pid'), 'utf8');
  } catch {
    return undefined;
  }
}

/** The redis-server process; with several, the one whose command line names `port`. */
export function findRedisServer(processes: readonly ProcessInfo[], port: number): ProcessInfo | undefined {
  const servers = processes.filter((p) => p.stat.comm === 'redis-server');
  if (servers.length <= 1) return servers[0];
  const matching = servers.filter((p) => new RegExp(`(^|[\\s:])${port}(\\s|$)`).test(p.cmdline));
  return matching.length === 1 ? matching[0] : undefined;
}

/**
 * The database of a Postgres backend from its process title, e.g.
 * `postgres: 15/main: postgres feedmesh_bench 127.0.0.1(58150) idle` → `feedmesh_bench`
 * (`[cluster_name: ]user database host(port)|[local] activity`); undefined for other processes.
 */
export function backendDatabase(cmdline: string): string | undefined {
  if (!cmdline.startsWith('postgres: ')) return undefined;
  const words = cmdline.split(/\s+/);
  const client = words.findIndex((w, i) => i >= 3 && (/^\S+\(\d+\)$/.test(w) || w === '[local]'));
  return client > 0 ? words[client - 1] : undefined;
}

export interface ChildCpu {
  /** utime + stime + cutime + cstime of the child, µs. */
  us: number;
  cmdline: string;
}

export interface ServerCpuSample {
  pid: number;
  /** CPU of the server's process tree so far (see the file comment), µs. */
  totalUs: number;
  /** The live children by `pid:starttime` (a pid reused by a later process is another key). */
  children: Map<string, ChildCpu>;
}

const ownAndReaped = (s: ProcStat) => s.utime + s.stime + s.cutime + s.cstime;

/** Samples a server's tree CPU; undefined when the server process is gone. */
export function sampleServerCpu(
  pid: number,
  list: () => ProcessInfo[] = listProcesses,
  readStat: (pid: number) => ProcStat | undefined = readProcStat,
): ServerCpuSample | undefined {
  for (let attempt = 0; ; attempt++) {
    const first = readStat(pid);
    if (first === undefined) return undefined;
    const children = list().filter((p) => p.stat.ppid === pid && p.stat.pid !== pid);
    const server = readStat(pid);
    if (server === undefined) return undefined;
    // A child reaped meanwhile moved its time into cutime/cstime: read again (a few tries suffice).
    if (server.cutime + server.cstime !== first.cutime + first.cstime && attempt < 5) continue;
    let ticks = ownAndReaped(server);
    const byKey = new Map<string, ChildCpu>();
    for (const child of children) {
      ticks += ownAndReaped(child.stat);
      byKey.set(`${child.stat.pid}:${child.stat.starttime}`, { us: ticksToUs(ownAndReaped(child.stat)), cmdline: child.cmdline });
    }
    return { pid, totalUs: ticksToUs(ticks), children: byKey };
  }
}

/** CPU of the server's tree between two samples, µs; undefined when either is missing or the server restarted. */
export function serverCpuDeltaUs(before: ServerCpuSample | undefined, after: ServerCpuSample | undefined): number | undefined {
  if (before === undefined || after === undefined || before.pid !== after.pid || after.totalUs < before.totalUs) return undefined;
  return after.totalUs - before.totalUs;
}

/**
 * CPU between two samples of the Postgres backends connected to `database` and alive at the end
 * (one that started in the window counts whole; one that exited in it is missed), µs.
 */
export function databaseBackendsDeltaUs(before: ServerCpuSample | undefined, after: ServerCpuSample | undefined, database: string): number | undefined {
  if (before === undefined || after === undefined || before.pid !== after.pid) return undefined;
  let us = 0;
  for (const [key, child] of after.children) {
    if (backendDatabase(child.cmdline) !== database) continue;
    us += Math.max(0, child.us - (before.children.get(key)?.us ?? 0));
  }
  return us;
}
