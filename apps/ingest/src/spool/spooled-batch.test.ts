import { describe, expect, it } from 'vitest';
import type { EngagementRecord } from '../engagement/engagement-record.js';
import { decodeSpooledBatch, encodeSpooledBatch } from './spooled-batch.js';

describe('spooled batches', () => {
  it('round-trip the validated records (indexes renumbered from the given start)', () => {
    const records: EngagementRecord[] = [
      { index: 3, userId: 'u1', itemId: '00000000-0000-4000-8000-000000000001', type: 2, occurredAtMs: 1_700_000_000_123, dwellMs: null },
      { index: 7, userId: 'ü "quoted" \u2028', itemId: '00000000-0000-4000-8000-000000000002', type: 1, occurredAtMs: 1_700_000_000_456.5, dwellMs: 1200 },
    ];
    expect(decodeSpooledBatch(encodeSpooledBatch(records), 10)).toEqual([
      { ...records[0], index: 10 },
      { ...records[1], index: 11 },
    ]);
  });

  it('refuses what it did not write', () => {
    expect(() => decodeSpooledBatch(Buffer.from('{"v":2,"events":[]}'))).toThrow('version 1');
    expect(() => decodeSpooledBatch(Buffer.from('{"v":1,"events":[["u","i",1]]}'))).toThrow('event 0 is malformed');
    expect(() => decodeSpooledBatch(Buffer.from('not json'))).toThrow();
  });
});
