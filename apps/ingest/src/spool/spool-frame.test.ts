import { describe, expect, it } from 'vitest';
import { encodeFrame, FRAME_HEADER_BYTES, readFrame, scanSegment } from './spool-frame.js';

const frame = (text: string, at = 1_000) => encodeFrame(Buffer.from(text), at);

describe('spool frames', () => {
  it('round-trips payload and append time', () => {
    const read = readFrame(frame('hello', 1_234.5), 0);
    expect(read).toMatchObject({ kind: 'record', appendedAtMs: 1_234.5, end: FRAME_HEADER_BYTES + 5 });
    expect(read.kind === 'record' && read.payload.toString()).toBe('hello');
  });

  it('detects a flipped bit anywhere in the length, time or payload (CRC-32)', () => {
    const good = frame('some payload bytes');
    for (let i = 4; i < good.length; i++) {
      if (i >= 16 && i < 20) continue; // the checksum itself
      const bad = Buffer.from(good);
      bad[i]! ^= 0x10;
      const read = readFrame(bad, 0);
      expect(read.kind, `byte ${i}`).not.toBe('record');
    }
  });

  it('scans records in order and calls a cut-off last record a torn tail', () => {
    const whole = Buffer.concat([frame('a'), frame('bb'), frame('ccc')]);
    expect(scanSegment(whole)).toMatchObject({ records: 3, validBytes: whole.length, tail: { kind: 'clean' } });
    const torn = whole.subarray(0, whole.length - 2);
    expect(scanSegment(torn)).toMatchObject({ records: 2, validBytes: whole.length - FRAME_HEADER_BYTES - 3, tail: { kind: 'torn', bytes: FRAME_HEADER_BYTES + 1 } });
    const halfHeader = whole.subarray(0, FRAME_HEADER_BYTES + 1 + 7);
    expect(scanSegment(halfHeader)).toMatchObject({ records: 1, tail: { kind: 'torn', bytes: 7 } });
  });

  it('a last record failing its checksum, or a zero-filled tail, is torn; damage followed by records is corrupt', () => {
    const last = Buffer.concat([frame('a'), frame('bb')]);
    last[last.length - 1]! ^= 1;
    expect(scanSegment(last)).toMatchObject({ records: 1, tail: { kind: 'torn', reason: 'last record: checksum mismatch' } });
    const zeros = Buffer.concat([frame('a'), Buffer.alloc(100)]);
    expect(scanSegment(zeros)).toMatchObject({ records: 1, tail: { kind: 'torn', reason: 'zero-filled tail' } });
    const middle = Buffer.concat([frame('a'), frame('bb'), frame('ccc')]);
    middle[FRAME_HEADER_BYTES + 1 + FRAME_HEADER_BYTES]! ^= 1; // the second record's payload
    expect(scanSegment(middle)).toMatchObject({ records: 1, tail: { kind: 'corrupt', at: FRAME_HEADER_BYTES + 1, reason: 'checksum mismatch' } });
    const garbage = Buffer.concat([frame('a'), Buffer.from('not a record at all, but not zeros either')]);
    expect(scanSegment(garbage)).toMatchObject({ records: 1, tail: { kind: 'corrupt' } });
  });

  it('counts the records from an offset, and the first one’s time', () => {
    const a = frame('a', 1);
    const whole = Buffer.concat([a, frame('b', 2), frame('c', 3)]);
    expect(scanSegment(whole, a.length)).toMatchObject({ records: 3, recordsFrom: 2, firstAppendedAtMs: 2 });
  });
});
