import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import { BinaryWriter, WireType } from '@bufbuild/protobuf/wire';
import { CandidateBlockSchema } from '@feedmesh/contracts';
import { blockOfCandidates } from '@feedmesh/feed-core';
import { describe, expect, it } from 'vitest';
import { decodeCandidateBlock, WireError } from './decode-candidate-block.js';

const plain = (block: object) =>
  Object.fromEntries(Object.entries(block).filter(([k]) => !k.startsWith('$')).map(([k, v]) => [k, typeof v === 'object' ? Array.from(v as ArrayLike<unknown>) : v]));

function rng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('decodeCandidateBlock', () => {
  it('decodes what fromBinary decodes, for blocks of any size', () => {
    const random = rng(5);
    for (const n of [0, 1, 7, 1000]) {
      const cs = Array.from({ length: n }, (_, i) => ({
        item: { id: `00000000-0000-4000-8000-${i.toString(16).padStart(12, '0')}`, kind: i % 4, authorId: `author-${Math.floor(random() * 50)}-ü`, createdAtMs: 1_750_000_000_000 - Math.floor(random() * 1e9) + random() },
        sources: [['following'], ['trending', 'fresh'], []][i % 3]!,
        stats: { views: Math.floor(random() * 2 ** 32), likes: Math.floor(random() * 200), shares: 0, hides: Math.floor(random() * 3) },
        recallScore: random() - 0.5,
      }));
      const bytes = toBinary(CandidateBlockSchema, create(CandidateBlockSchema, blockOfCandidates(cs)));
      expect(plain(decodeCandidateBlock(bytes))).toEqual(plain(fromBinary(CandidateBlockSchema, bytes)));
    }
  });

  it('reads unpacked and repeated packed fields, 10-byte varints, skips unknown fields, keeps the last singular value', () => {
    const w = new BinaryWriter();
    w.tag(1, WireType.Varint).uint32(9); // replaced below
    w.tag(5, WireType.Varint).uint32(3); // unpacked author_index
    w.tag(5, WireType.LengthDelimited).fork().uint32(1).uint32(300).int32(-1).join(); // packed, with a 10-byte varint
    w.tag(6, WireType.Bit64).double(1.5); // unpacked double
    w.tag(6, WireType.LengthDelimited).fork().double(-2).double(Number.NaN).join();
    w.tag(99, WireType.LengthDelimited).string('ignored');
    w.tag(98, WireType.Bit32).fixed32(7);
    w.tag(97, WireType.Varint).uint64(2n ** 63n);
    w.tag(4, WireType.LengthDelimited).string('a');
    w.tag(4, WireType.LengthDelimited).string('b');
    w.tag(2, WireType.LengthDelimited).bytes(new Uint8Array([1]));
    w.tag(2, WireType.LengthDelimited).bytes(new Uint8Array([2, 3]));
    w.tag(1, WireType.Varint).uint32(4);
    const bytes = w.finish();
    const decoded = decodeCandidateBlock(bytes);
    expect(plain(decoded)).toEqual(plain(fromBinary(CandidateBlockSchema, bytes)));
    expect(Array.from(decoded.authorIndex)).toEqual([3, 1, 300, 0xffff_ffff]);
    expect(decoded.count).toBe(4);
  });

  it('throws on truncated or mistyped input', () => {
    expect(() => decodeCandidateBlock(new Uint8Array([0x0a, 0xff]))).toThrow(WireError); // field 1 length-delimited
    expect(() => decodeCandidateBlock(new Uint8Array([0x2a, 0x05, 0x01]))).toThrow(WireError); // length past the end
    expect(() => decodeCandidateBlock(new Uint8Array([0x2a, 0x01, 0x80]))).toThrow(WireError); // packed varint cut
    expect(() => decodeCandidateBlock(new Uint8Array([0x32, 0x03, 0, 0, 0]))).toThrow(WireError); // packed doubles of 3 bytes
    expect(() => decodeCandidateBlock(new Uint8Array([0x08]))).toThrow(WireError); // varint cut
  });
});
