import { fromBinary, toBinary } from '@bufbuild/protobuf';
import { GetFeedRequestSchema, ItemKind, RankRequestSchema } from '@feedmesh/contracts';
import { describe, expect, it } from 'vitest';
import { compileBody } from './body-template.js';
import { parseVariable } from './generators.js';
import { UsageError } from './method-resolver.js';

const counter = (name: string, prefix = 'u') => {
  let n = 0;
  return { name, generator: () => `${prefix}${++n}` };
};

describe('compileBody', () => {
  it('returns one constant message when there are no variables', () => {
    const body = compileBody(GetFeedRequestSchema, '{"userId":"u1","pageSize":20}', []);
    expect(body.strategy).toBe('constant');
    expect(body.next()).toBe(body.next());
    expect(body.next()).toMatchObject({ userId: 'u1', pageSize: 20 });
  });

  it('sets string and number fields directly, one fresh value per request', () => {
    const body = compileBody(GetFeedRequestSchema, '{"user_id":"{{user}}","pageSize":"{{size}}","cursor":"c-{{user}}-x"}', [
      counter('user'),
      { name: 'size', generator: () => '7' },
    ]);
    expect(body.strategy).toBe('field-setters');
    const first = fromBinary(GetFeedRequestSchema, toBinary(body.schema, body.next()));
    const second = fromBinary(GetFeedRequestSchema, toBinary(body.schema, body.next()));
    // Sample validation consumed u1; the same value fills every occurrence within a request.
    expect(first).toMatchObject({ userId: 'u2', pageSize: 7, cursor: 'c-u2-x' });
    expect(second).toMatchObject({ userId: 'u3', cursor: 'c-u3-x' });
  });

  it('reaches fields inside nested and repeated messages', () => {
    const body = compileBody(
      RankRequestSchema,
      '{"userId":"{{user}}","candidates":[{"item":{"id":"a"}},{"item":{"id":"{{item}}","authorId":"{{user}}"},"recallScore":0.5}]}',
      [counter('user'), counter('item', 'i')],
    );
    expect(body.strategy).toBe('field-setters');
    const request = fromBinary(RankRequestSchema, toBinary(body.schema, body.next()));
    expect(request.userId).toBe('u2');
    expect(request.candidates[0].item?.id).toBe('a');
    expect(request.candidates[1].item).toMatchObject({ id: 'i2', authorId: 'u2' });
    expect(request.candidates[1].recallScore).toBe(0.5);
  });

  it('falls back to fromJson where a setter would be wrong (enums, 64-bit)', () => {
    const body = compileBody(RankRequestSchema, '{"candidates":[{"item":{"kind":"{{kind}}","createdAtMs":"{{at}}"}}]}', [
      parseVariable('kind=list:ITEM_KIND_VIDEO'),
      parseVariable('at=range:1700000000000..1700000000000'),
    ]);
    expect(body.strategy).toBe('from-json');
    const request = fromBinary(RankRequestSchema, toBinary(body.schema, body.next()));
    expect(request.candidates[0].item).toMatchObject({ kind: ItemKind.VIDEO, createdAtMs: 1700000000000n });
  });

  it('rejects unknown fields, bad JSON, unknown and unused variables as usage errors', () => {
    expect(() => compileBody(GetFeedRequestSchema, '{"userid":"x"}', [])).toThrow(UsageError);
    expect(() => compileBody(GetFeedRequestSchema, '{"userId":', [])).toThrow(UsageError);
    expect(() => compileBody(GetFeedRequestSchema, '{"userId":"{{who}}"}', [])).toThrow(/no --var who/);
    expect(() => compileBody(GetFeedRequestSchema, '{"userId":"x"}', [counter('user')])).toThrow(/not used/);
    expect(() => compileBody(GetFeedRequestSchema, '{"pageSize":"{{n}}"}', [parseVariable('n=list:big')])).toThrow(UsageError);
  });
});
