// CPU time of other processes, from /proc/<pid>/stat (Linux only).
import { readFileSync } from 'node:fs';

/** USER_HZ: the unit of utime/stime in /proc/<pid>/stat; 100 on every mainstream Linux build. */
const CLOCK_TICKS_PER_SECOND = 100;

/** Clock ticks of /proc/<pid>/stat → microseconds. */
export const ticksToUs = (ticks: number) => (ticks * 1_000_000) / CLOCK_TICKS_PER_SECOND;

/** The fields of /proc/<pid>/stat that the benchmarks use (times in clock ticks). */
export interface ProcStat {
  pid: number;
  /** The command name (field 2), without its parentheses; may contain spaces and ')'. */
  comm: string;
  state: string;
  ppid: number;
  /** Fields 14 and 15: CPU time of the process itself (all its threads). */
  utime: number;
  stime: number;
  /**
   * Fields 16 and 17: CPU time of its children that have exited and been waited for (reaped),
   * cumulative over the process's life (each reaped child adds its own utime+stime+cutime+cstime).
   */
  cutime: number;
  cstime: number;
  /** Field 22: start time after boot; with the pid it tells a process from a later one reusing the pid. */
  starttime: number;
}

/** Parses the one line of /proc/<pid>/stat; throws on a line that is not one. */
export function parseProcStat(text: string): ProcStat {
  // The command name may contain spaces and parentheses: it runs from the first '(' to the last ')'.
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 1 || close < open) throw new Error(`not a /proc/<pid>/stat line: ${JSON.stringify(text.slice(0, 80))}`);
  // Fields after the name, numbered from 3 (state): field n of the full line is rest[n - 3].
  const rest = text.slice(close + 2).trim().split(' ');
  const field = (n: number) => {
    const value = Number(rest[n - 3]);
    if (!Number.isFinite(value)) throw new Error(`/proc/<pid>/stat field ${n} is not a number: ${JSON.stringify(text.slice(0, 80))}`);
    return value;
  };
  return {
    pid: Number(text.slice(0, open).trim()),
    comm: text.slice(open + 1, close),
    state: rest[0] ?? '',
    ppid: field(4),
    utime: field(14),
    stime: field(15),
    cutime: field(16),
    cstime: field(17),
    starttime: field(22),
  };
}

/** /proc/<pid>/stat parsed; undefined once the process is gone (or the line cannot be read). */
export function readProcStat(pid: number): ProcStat | undefined {
  try {
    return parseProcStat(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return undefined;
  }
}

/** User + system CPU time of a process in microseconds (10 ms resolution); undefined once it has exited. */
export function processCpuUs(pid: number): number | undefined {
  const stat = readProcStat(pid);
  return stat === undefined ? undefined : ticksToUs(stat.utime + stat.stime);
}

/** This process's own user + system CPU time in microseconds. */
export function ownCpuUs(): number {
  const usage = process.cpuUsage();
  return usage.user + usage.system;
}
