import { describe, expect, it } from 'vitest';
import { decodeItemRecord, encodeItemRecord, ITEM_RECORD_SHARDS, itemRecordShard } from './item-records.js';
import { parseUserReadModel, userReadModelFields, type UserReadModel } from './user-read-model.js';

describe('item records', () => {
  it('round-trips active and deleted records and reads garbage as a miss', () => {
    const active = { status: 'active', createdAtMs: 1_733_000_000_123, views: 10, likes: 2, shares: 1, hides: 0 } as const;
    expect(decodeItemRecord(encodeItemRecord(active))).toEqual(active);
    expect(decodeItemRecord(encodeItemRecord({ ...active, status: 'deleted' }))?.status).toBe('deleted');
    for (const bad of ['', 'x1:2:3:4:5', 'a1:2:3:4', 'a1:2:3:4:-5', 'a1:2:x:4:5']) expect(decodeItemRecord(bad)).toBeUndefined();
  });
  it('spreads UUIDs over every shard', () => {
    const shards = new Set<number>();
    for (const digit of '0123456789abcdefABCDEF') shards.add(itemRecordShard(`00000000-0000-4000-8000-00000000000${digit}`));
    expect(shards.size).toBe(ITEM_RECORD_SHARDS);
    expect(itemRecordShard('not-a-uuid!')).toBeLessThan(ITEM_RECORD_SHARDS);
  });
});

describe('user read model', () => {
  it('is a miss without the presence field, and parses every part in order', () => {
    expect(parseUserReadModel({ 'a:x': '0.5' })).toBeUndefined();
    const model = parseUserReadModel({ _: '1', 'a:x': '0.5', 'k:2': '0.25', 't:go': '1', 't:rust': '3', 't:zero': '0', 'p:big': '20000', 'p:bigger': '50000', junk: '1', 'a:nan': 'x' });
    expect(model).toEqual({
      authorAffinity: new Map([['x', 0.5]]),
      kindAffinity: new Map([[2, 0.25]]),
      interests: [
        { topic: 'rust', weight: 3 },
        { topic: 'go', weight: 1 },
      ],
      pulledAuthors: ['bigger', 'big'],
    });
  });
  it('writes fields that parse back to the same model', () => {
    const model: UserReadModel = { authorAffinity: new Map([['a1', 0.1]]), kindAffinity: new Map([[1, 0.9]]), interests: [{ topic: 't', weight: 2 }], pulledAuthors: ['p1', 'p2'] };
    const fields = userReadModelFields(model);
    const hash: Record<string, string> = { _: '1' };
    for (let i = 0; i < fields.length; i += 2) hash[fields[i]!] = fields[i + 1]!;
    expect(parseUserReadModel(hash)).toEqual(model);
  });
});
