import { equals, fromBinary, fromJson, fromJsonString, toBinary, type DescMessage, type JsonValue, type MessageShape } from '@bufbuild/protobuf';
import { GetFeedRequestSchema, RankRequestSchema } from '@feedmesh/contracts';
import { describe, expect, it } from 'vitest';
import { compileBody, GRPC_PREFIX_BYTES } from './body-template.js';
import { parseVariable, type VariableSpec } from './generators.js';

/** Values that stress the encoding: empty, multi-byte UTF-8, JSON escapes, and long enough for a 2-byte length varint. */
const NASTY = ['', 'u1', 'ünïcødé ✓ 𝄞', 'quote " back\\slash \n newline', 'x'.repeat(200), 'y'.repeat(20_000)];

/** Cycles through `values`; remembers the last one handed out. */
function cycling(name: string, values: readonly string[]): VariableSpec & { last: () => string } {
  let index = -1;
  return { name, generator: () => values[(index = (index + 1) % values.length)], last: () => values[index] };
}

/** The message the per-request JSON path would send for `body` with the given values. */
function expected<Desc extends DescMessage>(schema: Desc, body: string, values: Record<string, string>): MessageShape<Desc> {
  const text = body.replace(/\{\{(\w+)\}\}/g, (_, name: string) => JSON.stringify(values[name]).slice(1, -1));
  return fromJson(schema, JSON.parse(text) as JsonValue);
}

const RANK_BODY = JSON.stringify({
  userId: '{{user}}',
  limit: 2,
  candidates: [
    { item: { id: 'a1', kind: 'ITEM_KIND_ARTICLE', authorId: 'author-1' }, recallScore: 0.5, sources: ['following'] },
    { item: { id: '{{item}}', kind: 'ITEM_KIND_VIDEO', authorId: 'by-{{user}}' }, recallScore: 0.9, sources: ['trending', '{{item}}'] },
  ],
});

describe('body encoders (binary and JSON templates)', () => {
  it('splice placeholders into nested, repeated and string-list fields exactly as a full encode would', () => {
    const user = cycling('user', NASTY);
    const item = cycling('item', [...NASTY].reverse());
    const body = compileBody(RankRequestSchema, RANK_BODY, [user, item]);
    expect(body.encoderStrategy).toEqual({ binary: 'template', json: 'template' });
    for (let i = 0; i < 2 * NASTY.length; i++) {
      const bytes = body.nextBinary();
      const want = expected(RankRequestSchema, RANK_BODY, { user: user.last(), item: item.last() });
      const got = fromBinary(RankRequestSchema, bytes);
      expect(equals(RankRequestSchema, got, want)).toBe(true);
      expect(got.candidates[1].sources).toEqual(['trending', item.last()]);
      const json = body.nextJson();
      const wantJson = expected(RankRequestSchema, RANK_BODY, { user: user.last(), item: item.last() });
      expect(equals(RankRequestSchema, fromJsonString(RankRequestSchema, json), wantJson)).toBe(true);
    }
  });

  it('frames gRPC messages: 5-byte prefix with the message length', () => {
    const user = cycling('user', NASTY);
    const body = compileBody(GetFeedRequestSchema, '{"userId":"{{user}}","pageSize":20}', [user], { grpcFrame: true });
    for (let i = 0; i < NASTY.length; i++) {
      const frame = body.nextBinary();
      expect(frame[0]).toBe(0);
      expect(frame.readUInt32BE(1)).toBe(frame.length - GRPC_PREFIX_BYTES);
      const request = fromBinary(GetFeedRequestSchema, frame.subarray(GRPC_PREFIX_BYTES));
      expect(request).toMatchObject({ userId: user.last(), pageSize: 20 });
    }
    // Constant bodies are framed once and shared.
    const constant = compileBody(GetFeedRequestSchema, '{"userId":"u1"}', [], { grpcFrame: true });
    expect(constant.nextBinary()).toBe(constant.nextBinary());
    expect(constant.nextBinary().subarray(GRPC_PREFIX_BYTES)).toEqual(Buffer.from(toBinary(constant.schema, constant.next())));
  });

  it('encodes number placeholders, leaving implicit zero values out like toBinary', () => {
    const size = cycling('size', ['7', '0', '300', '1']);
    const body = compileBody(GetFeedRequestSchema, '{"userId":"u","pageSize":"{{size}}"}', [size]);
    expect(body.encoderStrategy.binary).toBe('template');
    for (let i = 0; i < 4; i++) {
      const bytes = body.nextBinary();
      const want = toBinary(GetFeedRequestSchema, fromJson(GetFeedRequestSchema, { userId: 'u', pageSize: Number(size.last()) }));
      expect(Buffer.compare(bytes, Buffer.from(want)) === 0 || equals(GetFeedRequestSchema, fromBinary(GetFeedRequestSchema, bytes), fromBinary(GetFeedRequestSchema, want))).toBe(true);
    }
    // A generated value the field cannot hold fails that request (the caller counts it as INTERNAL).
    const bad = compileBody(GetFeedRequestSchema, '{"pageSize":"{{n}}"}', [cycling('n', ['1', '1.5'])]);
    expect(() => bad.nextBinary()).toThrow();
  });

  it('encodes per request where splicing is unsafe (enums, 64-bit) and still gets it right', () => {
    const body = compileBody(RankRequestSchema, '{"candidates":[{"item":{"kind":"{{kind}}","createdAtMs":"{{at}}"}}]}', [
      parseVariable('kind=list:ITEM_KIND_VIDEO'),
      parseVariable('at=range:1700000000000..1700000000000'),
    ]);
    expect(body.encoderStrategy).toEqual({ binary: 'encode', json: 'encode' });
    const request = fromBinary(RankRequestSchema, body.nextBinary());
    expect(request.candidates[0].item?.createdAtMs).toBe(1700000000000n);
    expect(fromJsonString(RankRequestSchema, body.nextJson()).candidates[0].item?.createdAtMs).toBe(1700000000000n);
  });
});
