import { describe, expect, it } from 'vitest';
import type { ProcStat } from './proc-cpu.js';
import {
  backendDatabase,
  databaseBackendsDeltaUs,
  findPostmaster,
  findRedisServer,
  sampleServerCpu,
  serverCpuDeltaUs,
  type ProcessInfo,
} from './server-cpu.js';

const stat = (pid: number, comm: string, ppid: number, ticks: Partial<ProcStat> = {}): ProcStat => ({
  pid,
  comm,
  state: 'S',
  ppid,
  utime: 0,
  stime: 0,
  cutime: 0,
  cstime: 0,
  starttime: pid * 10,
  ...ticks,
});
const proc = (pid: number, comm: string, ppid: number, cmdline: string, ticks: Partial<ProcStat> = {}): ProcessInfo => ({ stat: stat(pid, comm, ppid, ticks), cmdline });

const BACKEND = 'postgres: 15/main: postgres feedmesh_bench 127.0.0.1(58150) idle';

describe('backendDatabase', () => {
  it('reads the database from a backend title, with or without cluster_name', () => {
    expect(backendDatabase(BACKEND)).toBe('feedmesh_bench');
    expect(backendDatabase('postgres: app feedmesh_test [local] SELECT')).toBe('feedmesh_test');
    expect(backendDatabase('postgres: 15/main: u other_db ::1(4242) idle in transaction')).toBe('other_db');
  });

  it('gives undefined for the server processes that are not backends', () => {
    expect(backendDatabase('postgres: 15/main: checkpointer')).toBeUndefined();
    expect(backendDatabase('postgres: 15/main: logical replication launcher')).toBeUndefined();
    expect(backendDatabase('/usr/lib/postgresql/15/bin/postgres -D /var/lib/postgresql/15/main')).toBeUndefined();
  });
});

describe('findPostmaster', () => {
  const server = (pid: number, dir: string) => proc(pid, 'postgres', 1, `/usr/lib/postgresql/15/bin/postgres -D ${dir}`);
  it('is the postgres process whose parent is not one', () => {
    const processes = [proc(1, 'init', 0, '/sbin/init'), server(2190, '/a'), proc(2191, 'postgres', 2190, 'postgres: 15/main: checkpointer'), proc(3000, 'postgres', 2190, BACKEND)];
    expect(findPostmaster(processes, 5432, () => undefined)?.stat.pid).toBe(2190);
  });

  it('picks among several by the port in postmaster.pid', () => {
    const processes = [server(10, '/a'), server(20, '/b')];
    const pidFiles: Record<string, string> = { '/a': '10\n/a\n1\n5433\n', '/b': '20\n/b\n1\n5432\n' };
    const read = (p: ProcessInfo) => pidFiles[p.cmdline.split(' ').at(-1)!];
    expect(findPostmaster(processes, 5432, read)?.stat.pid).toBe(20);
    expect(findPostmaster(processes, 5434, read)).toBeUndefined();
  });

  it('is undefined without Postgres', () => {
    expect(findPostmaster([proc(1, 'init', 0, '/sbin/init')], 5432, () => undefined)).toBeUndefined();
  });
});

describe('findRedisServer', () => {
  it('takes the only redis-server, or the one listening on the port', () => {
    const a = proc(10, 'redis-server', 1, 'redis-server 127.0.0.1:6379');
    const b = proc(20, 'redis-server', 1, 'redis-server *:6380');
    expect(findRedisServer([proc(5, 'redis-cli', 1, 'redis-cli'), b], 6379)?.stat.pid).toBe(20);
    expect(findRedisServer([a, b], 6379)?.stat.pid).toBe(10);
    expect(findRedisServer([a, b], 6380)?.stat.pid).toBe(20);
    expect(findRedisServer([a, b], 7000)).toBeUndefined();
  });
});

describe('server CPU over a window', () => {
  // Ticks are 10 ms: 1 tick = 10_000 µs.
  it('adds the server, its reaped children and its live children', () => {
    const processes = [proc(100, 'postgres', 1, 'pm', { utime: 1, stime: 1 }), proc(101, 'postgres', 100, BACKEND, { utime: 5, stime: 5, cutime: 1 }), proc(7, 'bash', 1, 'bash', { utime: 99 })];
    const server = stat(100, 'postgres', 1, { utime: 1, stime: 1, cutime: 30, cstime: 10 });
    const sample = sampleServerCpu(100, () => processes, () => server);
    expect(sample?.totalUs).toBe((2 + 40 + 11) * 10_000);
    expect([...sample!.children.keys()]).toEqual(['101:1010']);
    expect(sampleServerCpu(100, () => processes, () => undefined)).toBeUndefined();
  });

  it('counts a backend that exits within the window once, through cutime/cstime', () => {
    const pm = (cutime: number) => stat(100, 'postgres', 1, { utime: 10, stime: 0, cutime, cstime: 0 });
    // Before: backend 101 has used 20 ticks. It then uses 5 more and exits; 102 starts and uses 7.
    const before = sampleServerCpu(100, () => [proc(101, 'postgres', 100, BACKEND, { utime: 20 })], () => pm(0));
    const after = sampleServerCpu(100, () => [proc(102, 'postgres', 100, BACKEND, { utime: 7 })], () => pm(25));
    expect(serverCpuDeltaUs(before, after)).toBe((5 + 7) * 10_000);
    // The backends alive at the end only: 102 whole, 101's last 5 ticks missed.
    expect(databaseBackendsDeltaUs(before, after, 'feedmesh_bench')).toBe(7 * 10_000);
    expect(databaseBackendsDeltaUs(before, after, 'other')).toBe(0);
  });

  it('reads again when a child was reaped while the children were listed', () => {
    let reads = 0;
    // First pair of server reads straddles the reap (cutime 0 → 20): the child is gone from the list too.
    const readStat = () => stat(100, 'postgres', 1, { cutime: reads++ === 0 ? 0 : 20 });
    const sample = sampleServerCpu(100, () => (reads === 1 ? [proc(101, 'postgres', 100, BACKEND, { utime: 20 })] : []), readStat);
    // Counted once (20 ticks), not twice.
    expect(sample?.totalUs).toBe(20 * 10_000);
    expect(reads).toBe(4);
  });

  it('has no delta across a restart of the server or without a sample', () => {
    const a = sampleServerCpu(100, () => [], () => stat(100, 'postgres', 1, { utime: 50 }));
    const b = sampleServerCpu(200, () => [], () => stat(200, 'postgres', 1, { utime: 60 }));
    expect(serverCpuDeltaUs(a, b)).toBeUndefined();
    expect(serverCpuDeltaUs(a, undefined)).toBeUndefined();
    expect(serverCpuDeltaUs(a, a)).toBe(0);
  });
});
