import { create, fromJson, toJson, type JsonValue } from '@bufbuild/protobuf';
import { GetFeedResponseSchema, RecordEngagementRequestSchema } from '@feedmesh/contracts';
import { describe, expect, it } from 'vitest';
import { compileBodyTemplate } from './body.js';
import { compilePath } from './extract.js';

const response = toJson(
  GetFeedResponseSchema,
  create(GetFeedResponseSchema, { items: [{ id: 'a', score: 0.5 }, { id: 'b', score: 0.25 }], nextCursor: 'page-2' }),
  { alwaysEmitImplicit: true },
);

describe('compilePath', () => {
  it('reads a value, every element of a list, and one element', () => {
    expect(compilePath('nextCursor', GetFeedResponseSchema).read(response)).toBe('page-2');
    expect(compilePath('next_cursor', GetFeedResponseSchema).read(response)).toBe('page-2');
    const ids = compilePath('items[*].id', GetFeedResponseSchema);
    expect(ids.many).toBe(true);
    expect(ids.read(response)).toEqual(['a', 'b']);
    expect(compilePath('items[1].id', GetFeedResponseSchema).read(response)).toBe('b');
    expect(compilePath('items[5].id', GetFeedResponseSchema).read(response)).toBe('');
    expect(compilePath('items[*].score', GetFeedResponseSchema).read(response)).toEqual(['0.5', '0.25']);
  });

  it('gives the last page an empty cursor and no items', () => {
    const last = toJson(GetFeedResponseSchema, create(GetFeedResponseSchema, {}), { alwaysEmitImplicit: true });
    expect(compilePath('nextCursor', GetFeedResponseSchema).read(last)).toBe('');
    expect(compilePath('items[*].id', GetFeedResponseSchema).read(last)).toEqual([]);
  });

  it('rejects paths the response type does not have, saying why', () => {
    expect(() => compilePath('cursor', GetFeedResponseSchema)).toThrow(/GetFeedResponse has no field "cursor" \(has: items, nextCursor/);
    expect(() => compilePath('nextCursor[*]', GetFeedResponseSchema)).toThrow(/nextCursor is not a list/);
    expect(() => compilePath('items.id', GetFeedResponseSchema)).toThrow(/items is a list: say items\[\*\]/);
    expect(() => compilePath('items[*]', GetFeedResponseSchema)).toThrow(/ends at a message \(feedmesh.common.v1.FeedItem\)/);
    expect(() => compilePath('items[*].nope', GetFeedResponseSchema)).toThrow(/FeedItem has no field "nope"/);
    expect(() => compilePath('items[x].id', GetFeedResponseSchema)).toThrow(/not a field name/);
  });
});

describe('body templates', () => {
  it('fills placeholders, substitutes whole lists and expands $each', () => {
    const body = compileBodyTemplate({
      note: 'user {{user}} saw {{items}}',
      ids: '{{items}}',
      events: { $each: '{{items}}', as: 'item', limit: 2, value: { userId: '{{user}}', itemId: '{{item}}', type: 'ENGAGEMENT_TYPE_VIEW' } },
    } as JsonValue);
    expect([...body.uses].sort()).toEqual(['items', 'user']);
    const values: Record<string, string | string[]> = { user: 'u7', items: ['a', 'b', 'c'] };
    const rendered = body.render((name) => values[name]);
    expect(rendered).toEqual({
      note: 'user u7 saw a,b,c',
      ids: ['a', 'b', 'c'],
      events: [
        { userId: 'u7', itemId: 'a', type: 'ENGAGEMENT_TYPE_VIEW' },
        { userId: 'u7', itemId: 'b', type: 'ENGAGEMENT_TYPE_VIEW' },
      ],
    });
    // What a journey extracted decodes as the next request.
    expect(fromJson(RecordEngagementRequestSchema, { events: (rendered as { events: JsonValue }).events }).events.map((e) => e.itemId)).toEqual(['a', 'b']);
    expect(create(RecordEngagementRequestSchema).events).toEqual([]);
  });

  it('rejects a malformed $each, naming where it is', () => {
    expect(() => compileBodyTemplate({ events: { $each: 'items', value: {}, extra: 1 } })).toThrow(/^events: \$each takes as, limit and value, not extra/);
    expect(() => compileBodyTemplate({ events: { $each: 'items' } })).toThrow(/events: \$each needs a value/);
    expect(() => compileBodyTemplate({ events: { $each: 3, value: {} } })).toThrow(/must name a list variable/);
  });
});
