import { describe, expect, it } from 'vitest';
import { SingleFlight } from './single-flight.js';

describe('SingleFlight', () => {
  it('loads a key once for concurrent callers and only asks the loader for new keys', async () => {
    const flight = new SingleFlight<string>();
    const calls: string[][] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const loader = async (keys: string[]) => {
      calls.push(keys);
      await gate;
      return new Map(keys.map((k) => [k, `v:${k}`]));
    };
    const first = flight.load(['a', 'b'], loader);
    const second = flight.load(['b', 'c'], loader);
    expect(flight.size).toBe(3);
    release();
    expect(await first).toEqual(new Map([['a', 'v:a'], ['b', 'v:b']]));
    expect(await second).toEqual(new Map([['b', 'v:b'], ['c', 'v:c']]));
    expect(calls).toEqual([['a', 'b'], ['c']]);
    await new Promise((r) => setImmediate(r));
    expect(flight.size).toBe(0);
  });

  it('shares failures and forgets them', async () => {
    const flight = new SingleFlight<string>();
    await expect(flight.load(['a'], () => Promise.reject(new Error('down')))).rejects.toThrow('down');
    await new Promise((r) => setImmediate(r));
    expect(await flight.load(['a'], async () => new Map([['a', 'ok']]))).toEqual(new Map([['a', 'ok']]));
  });
});
