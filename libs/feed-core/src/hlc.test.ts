import { describe, expect, it } from 'vitest';
import {
  compareHlc,
  decodeHlc,
  encodeHlc,
  HybridLogicalClock,
  receiveHlc,
  tickHlc,
  zeroHlc,
  type Hlc,
} from './hlc.js';

describe('hybrid logical clock', () => {
  it('follows the wall clock when it moves forward', () => {
    expect(tickHlc({ wallMs: 100, logical: 7 }, 150)).toEqual({ wallMs: 150, logical: 0 });
  });

  it('stays monotonic when the wall clock stalls or goes backwards', () => {
    const wall = [1000, 1000, 1005, 990, 980, 1005, 1006, 500, 1007];
    let now = 0;
    const clock = new HybridLogicalClock(() => wall[now++]!);
    const stamps = wall.map(() => clock.tick());
    for (let i = 1; i < stamps.length; i++) expect(compareHlc(stamps[i - 1]!, stamps[i]!)).toBe(-1);
    expect(stamps[4]).toEqual({ wallMs: 1005, logical: 2 }); // clock went back twice: counter moves
    expect(stamps[6]).toEqual({ wallMs: 1006, logical: 0 }); // wall time caught up again
    expect(clock.last).toEqual(stamps.at(-1));
  });

  it('orders a received event after both the local and the remote ones', () => {
    const cases: Array<[Hlc, Hlc, number, Hlc]> = [
      [{ wallMs: 10, logical: 2 }, { wallMs: 10, logical: 5 }, 9, { wallMs: 10, logical: 6 }],
      [{ wallMs: 12, logical: 2 }, { wallMs: 10, logical: 5 }, 9, { wallMs: 12, logical: 3 }],
      [{ wallMs: 8, logical: 2 }, { wallMs: 10, logical: 5 }, 9, { wallMs: 10, logical: 6 }],
      [{ wallMs: 8, logical: 2 }, { wallMs: 10, logical: 5 }, 11, { wallMs: 11, logical: 0 }],
    ];
    for (const [local, remote, now, expected] of cases) {
      const got = receiveHlc(local, remote, now);
      expect(got).toEqual(expected);
      expect(compareHlc(got, local)).toBe(1);
      expect(compareHlc(got, remote)).toBe(1);
    }
  });

  it('the stateful clock absorbs remote timestamps', () => {
    const clock = new HybridLogicalClock(() => 100);
    clock.receive({ wallMs: 500, logical: 4 });
    expect(clock.tick()).toEqual({ wallMs: 500, logical: 6 });
  });

  it('the stateful clock accepts an explicit time', () => {
    const clock = new HybridLogicalClock(() => 0);
    expect(clock.tick(700)).toEqual({ wallMs: 700, logical: 0 });
    expect(clock.receive({ wallMs: 650, logical: 9 }, 690)).toEqual({ wallMs: 700, logical: 1 });
    expect(clock.tick()).toEqual({ wallMs: 700, logical: 2 });
  });

  it('compares by wall time, then logical counter', () => {
    expect(compareHlc({ wallMs: 1, logical: 9 }, { wallMs: 2, logical: 0 })).toBe(-1);
    expect(compareHlc({ wallMs: 2, logical: 1 }, { wallMs: 2, logical: 0 })).toBe(1);
    expect(compareHlc({ wallMs: 2, logical: 1 }, { wallMs: 2, logical: 1 })).toBe(0);
  });

  it('encodes compactly and decodes back', () => {
    for (const hlc of [zeroHlc, { wallMs: 1_700_000_000_000, logical: 0 }, { wallMs: Number.MAX_SAFE_INTEGER, logical: 123_456 }]) {
      expect(decodeHlc(encodeHlc(hlc))).toEqual(hlc);
    }
    expect(encodeHlc({ wallMs: 1_700_000_000_000, logical: 35 })).toBe('loyw3v28.z');
  });

  it.each(['', '1', '1.', '.1', 'A.1', '1.2.3', '1 .2', 'zzzzzzzzzzz.0', '-1.0'])('refuses to decode %j', (text) => {
    expect(() => decodeHlc(text)).toThrow(RangeError);
  });
});
