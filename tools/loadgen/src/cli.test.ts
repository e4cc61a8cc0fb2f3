import { describe, expect, it } from 'vitest';
import { parseCli, parseDurationMs } from './cli.js';
import { UsageError } from './method-resolver.js';

const base = ['--target', '127.0.0.1:1', '--method', 'RankingService/Rank'];

describe('parseCli', () => {
  it('maps flags onto load options', () => {
    const command = parseCli([...base, '--rate', '500', '--warmup', '2s', '--duration', '1m', '--var', 'user=uuid', '--var', 'n=list:1',
      '--metadata', 'X-Tenant=demo', '--max-p99-ms', '25', '--max-error-rate', '0.01', '--json', '--skip-decode']);
    expect(command.json).toBe(true);
    expect(command.load).toMatchObject({
      rate: 500,
      warmupMs: 2000,
      durationMs: 60_000,
      variables: ['user=uuid', 'n=list:1'],
      metadata: [['x-tenant', 'demo']],
      decodeResponses: false,
      slo: { maxP99Ms: 25, maxErrorRate: 0.01 },
    });
  });

  it('parses durations', () => {
    expect(parseDurationMs('--d', '500ms')).toBe(500);
    expect(parseDurationMs('--d', '1.5s')).toBe(1500);
    expect(parseDurationMs('--d', '10')).toBe(10_000);
    expect(() => parseDurationMs('--d', '10h')).toThrow(UsageError);
  });

  it('rejects missing, unknown and conflicting flags as usage errors', () => {
    expect(() => parseCli(['--method', 'X/Y'])).toThrow(/--target/);
    expect(() => parseCli([...base, '--bogus'])).toThrow(UsageError);
    expect(() => parseCli([...base, '--rate', '5', '--concurrency', '2'])).toThrow(UsageError);
    expect(() => parseCli([...base, '--concurrency', 'many'])).toThrow(UsageError);
    expect(() => parseCli([...base, '--protocol', 'http3'])).toThrow(UsageError);
  });
});
