import { describe, expect, it } from 'vitest';
import { parseProcStat, processCpuUs, readProcStat, ticksToUs } from './proc-cpu.js';

// A real line (of bash), its command name made awkward: spaces and a ')' inside it.
const LINE =
  '8902 (my (odd) name) S 8898 8902 8902 0 -1 4194560 9056 873883 0 2 4 6 4713 385 20 0 1 0 33410 5353472 1000 ' +
  '18446744073709551615 94905549328384 94905550117789 140734143036304 0 0 0 65536 4 1132560123 1 0 0 17 0 0 0 0 0 0\n';

describe('parseProcStat', () => {
  it('reads the pid, name, parent, own and reaped-children times and start time', () => {
    expect(parseProcStat(LINE)).toEqual({
      pid: 8902,
      comm: 'my (odd) name',
      state: 'S',
      ppid: 8898,
      utime: 4,
      stime: 6,
      cutime: 4713,
      cstime: 385,
      starttime: 33410,
    });
  });

  it('reads a postmaster line', () => {
    const stat = parseProcStat('2190 (postgres) S 1 2190 2190 0 -1 4194560 1 2 3 4 15 25 700 300 20 0 1 0 1234 1 1 1');
    expect([stat.comm, stat.ppid, stat.utime + stat.stime, stat.cutime + stat.cstime]).toEqual(['postgres', 1, 40, 1000]);
  });

  it('rejects what is not a stat line', () => {
    expect(() => parseProcStat('')).toThrow(/not a \/proc/);
    expect(() => parseProcStat('12 (x) S 1 2')).toThrow(/field/);
  });
});

describe('this process in /proc', () => {
  it('is found and has spent CPU', () => {
    const stat = readProcStat(process.pid);
    expect(stat?.pid).toBe(process.pid);
    expect(stat?.ppid).toBe(process.ppid);
    expect(processCpuUs(process.pid)).toBeGreaterThan(0);
    expect(ticksToUs(3)).toBe(30_000);
  });

  it('gives undefined for a pid that does not exist', () => {
    expect(readProcStat(2 ** 30)).toBeUndefined();
    expect(processCpuUs(2 ** 30)).toBeUndefined();
  });
});
