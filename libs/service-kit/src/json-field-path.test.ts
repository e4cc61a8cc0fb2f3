import { GetFeedRequestSchema, PublishRequestSchema, RankRequestSchema, RecordEngagementRequestSchema, DeleteItemRequestSchema } from '@feedmesh/contracts';
import { describe, expect, it } from 'vitest';
import { jsonFieldViolation } from './json-field-path.js';

const strict = { ignoreUnknownFields: false };
const field = (schema: Parameters<typeof jsonFieldViolation>[0], text: string, options = strict) => jsonFieldViolation(schema, text, options)?.field;

describe('jsonFieldViolation: the proto path of what protobuf-es refuses', () => {
  it('names a scalar of the wrong JSON type by its proto name', () => {
    expect(jsonFieldViolation(GetFeedRequestSchema, '{"userId":"u1","pageSize":""}', strict)).toEqual({ field: 'page_size', reason: expect.stringContaining('""') as string });
    expect(field(PublishRequestSchema, '{"requestId":2147483648}')).toBe('request_id');
    expect(field(GetFeedRequestSchema, '{"page_size":"NaN"}')).toBe('page_size');
  });

  it('names an unknown key as sent, at its depth, unless unknown fields are ignored', () => {
    expect(field(DeleteItemRequestSchema, '{"zzUnknown":1}')).toBe('zzUnknown');
    expect(field(PublishRequestSchema, '{"article":{"title":"t","__proto__":1}}')).toBe('article.__proto__');
    expect(field(DeleteItemRequestSchema, '{"zzUnknown":1}', { ignoreUnknownFields: true })).toBeUndefined();
  });

  it('names the element of a list and the field inside it', () => {
    const events = '[{"userId":"u"},{"userId":"u"},{"userId":"u"},{"userId":"u","itemId":7}]';
    expect(field(RecordEngagementRequestSchema, `{"events":${events}}`)).toBe('events[3].item_id');
    expect(field(RecordEngagementRequestSchema, '{"events":[{"occurredAt":"yesterday"}]}')).toBe('events[0].occurred_at');
    expect(field(RecordEngagementRequestSchema, '{"events":[{},null]}')).toBe('events[1]');
    expect(field(RecordEngagementRequestSchema, '{"events":{"a":1}}')).toBe('events');
    expect(field(RankRequestSchema, '{"candidates":[{"item":{"kind":"NOT_A_KIND"}}]}')).toBe('candidates[0].item.kind');
  });

  it('names a oneof set twice, and a field set by both of its names', () => {
    expect(field(PublishRequestSchema, '{"video":{"title":"v"},"article":{"title":"a"}}')).toBe('payload');
    // null sets a message member of a oneof (protobuf-es), so this is twice as well.
    expect(field(PublishRequestSchema, '{"article":{"title":"a"},"video":null}')).toBe('payload');
    expect(field(GetFeedRequestSchema, '{"pageSize":1,"page_size":2}')).toBe('page_size');
  });

  it('names the path of a duplicated key, which JSON.parse would merge', () => {
    expect(field(GetFeedRequestSchema, '{"userId":"a","userId":"b"}')).toBe('user_id');
    expect(field(RecordEngagementRequestSchema, '{"events":[{"itemId":"x"},{"itemId":"y","type":1,"itemId":"z"}]}')).toBe('events[1].item_id');
  });

  it('names nothing for a body that is not a JSON object', () => {
    for (const text of ['', '[]', 'null', '"text"', '{"a":', '{}x']) expect(jsonFieldViolation(GetFeedRequestSchema, text, strict)).toBeUndefined();
  });

  it('names the first key of a deeply nested value', () => {
    expect(field(GetFeedRequestSchema, `{"userId":${'['.repeat(100_000)}${']'.repeat(100_000)}}`)).toBe('user_id');
  });
});
