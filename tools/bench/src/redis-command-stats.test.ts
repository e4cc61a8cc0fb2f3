import { describe, expect, it } from 'vitest';
import { commandStatsDelta, parseCommandStats } from './redis-command-stats.js';

const info = (lines: string[]) => ['# Commandstats', ...lines, ''].join('\r\n');
const BEFORE = info([
  'cmdstat_get:calls=1958,usec=2758,usec_per_call=1.41,rejected_calls=0,failed_calls=0',
  'cmdstat_info:calls=38,usec=3385,usec_per_call=89.08,rejected_calls=0,failed_calls=0',
  'cmdstat_client|setname:calls=3,usec=9,usec_per_call=3.00,rejected_calls=0,failed_calls=1',
]);
const AFTER = info([
  'cmdstat_get:calls=2058,usec=2900,usec_per_call=1.41,rejected_calls=0,failed_calls=0',
  'cmdstat_info:calls=39,usec=3480,usec_per_call=89.23,rejected_calls=0,failed_calls=0',
  'cmdstat_client|setname:calls=3,usec=9,usec_per_call=3.00,rejected_calls=0,failed_calls=1',
  'cmdstat_evalsha:calls=50,usec=5000,usec_per_call=100.00,rejected_calls=2,failed_calls=0',
]);

describe('parseCommandStats', () => {
  it('reads calls, time and failures by command, subcommands included', () => {
    const stats = parseCommandStats(BEFORE);
    expect(stats.size).toBe(3);
    expect(stats.get('get')).toEqual({ calls: 1958, usec: 2758, rejectedCalls: 0, failedCalls: 0 });
    expect(stats.get('client|setname')).toEqual({ calls: 3, usec: 9, rejectedCalls: 0, failedCalls: 1 });
    expect(parseCommandStats(AFTER).get('evalsha')?.rejectedCalls).toBe(2);
  });

  it('ignores other lines and sections', () => {
    expect(parseCommandStats('# Stats\ntotal_commands_processed:66251\n').size).toBe(0);
  });
});

describe('commandStatsDelta', () => {
  it('counts what ran in between, less the reader’s own INFO', () => {
    const delta = commandStatsDelta(parseCommandStats(BEFORE), parseCommandStats(AFTER), { info: 1 });
    expect(delta).toEqual({ calls: 150, usec: 142 + 95 + 5000, byCommand: { get: 100, evalsha: 50 } });
  });

  it('is undefined when the counts went back (CONFIG RESETSTAT, a restart)', () => {
    expect(commandStatsDelta(parseCommandStats(AFTER), parseCommandStats(BEFORE))).toBeUndefined();
    expect(commandStatsDelta(parseCommandStats(BEFORE), new Map())).toBeUndefined();
  });
});
