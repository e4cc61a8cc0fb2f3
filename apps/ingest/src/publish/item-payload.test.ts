import { Code } from '@connectrpc/connect';
import { create } from '@bufbuild/protobuf';
import { ArticlePayloadSchema, LivePayloadSchema, VideoPayloadSchema } from '@feedmesh/contracts';
import { describe, expect, it } from 'vitest';
import { initialPayload, MAX_DURATION_MS, MAX_TITLE, validatePayload, type PayloadCase } from './item-payload.js';

const article = (fields: { title?: string; body?: string; coverUrl?: string }): PayloadCase => ({
  case: 'article',
  value: create(ArticlePayloadSchema, { title: 'Hello #News', body: 'About #rust', coverUrl: '', ...fields }),
});
const video = (fields: { title?: string; url?: string; durationMs?: number; thumbnailUrl?: string }): PayloadCase => ({
  case: 'video',
  value: create(VideoPayloadSchema, { title: 'Clip', url: 'https://v.example/1', durationMs: 1_000, thumbnailUrl: '', ...fields }),
});
const live = (fields: { title?: string; streamUrl?: string }): PayloadCase => ({
  case: 'live',
  value: create(LivePayloadSchema, { title: 'Live #now', streamUrl: 'https://s.example/1', ...fields }),
});

/** The InvalidArgument validatePayload throws for `payload`. */
function refusal(payload: PayloadCase) {
  try {
    validatePayload(payload);
  } catch (error) {
    return error as { code: Code; rawMessage: string; metadata: Headers };
  }
  throw new Error(`accepted ${payload.case} ${JSON.stringify(payload.value)}`);
}

describe('validatePayload', () => {
  it('stores each kind with its number, its fields in snake_case and the hashtags as topics', () => {
    expect(validatePayload(article({ coverUrl: 'https://c.example/a.jpg' }))).toEqual({
      kind: 1,
      fields: { title: 'Hello #News', body: 'About #rust', cover_url: 'https://c.example/a.jpg' },
      topics: ['news', 'rust'],
    });
    expect(validatePayload(video({ title: 'Clip #cats' }))).toEqual({
      kind: 2,
      fields: { title: 'Clip #cats', url: 'https://v.example/1', duration_ms: 1_000, thumbnail_url: '' },
      topics: ['cats'],
    });
    expect(validatePayload(live({}))).toEqual({ kind: 3, fields: { title: 'Live #now', stream_url: 'https://s.example/1' }, topics: ['now'] });
  });

  it('takes topics from the title only for videos and live streams', () => {
    expect(validatePayload(article({ title: 'T', body: '#inbody' })).topics).toEqual(['inbody']);
    expect(validatePayload(live({ title: 'T' })).topics).toEqual([]);
  });

  it('names the first bad field by its path', () => {
    const cases: Array<[PayloadCase, string]> = [
      [article({ title: '' }), 'article.title: is required'],
      [article({ title: 'x'.repeat(MAX_TITLE + 1) }), `article.title: must be 1..${MAX_TITLE} characters, got ${MAX_TITLE + 1}`],
      [article({ title: '', body: '' }), 'article.title: is required'],
      [article({ body: '   ' }), 'article.body: is required'],
      [article({ coverUrl: 'ftp://c.example/a' }), 'article.cover_url: must use http or https, not ftp'],
      [video({ url: '' }), 'video.url: is required'],
      [video({ url: 'not a url' }), 'video.url: must be an absolute http(s) URL'],
      [video({ durationMs: 0 }), `video.duration_ms: must be 1..${MAX_DURATION_MS} ms, got 0`],
      [video({ durationMs: MAX_DURATION_MS + 1 }), `video.duration_ms: must be 1..${MAX_DURATION_MS} ms, got ${MAX_DURATION_MS + 1}`],
      [video({ thumbnailUrl: 'javascript:alert(1)' }), 'video.thumbnail_url: must use http or https, not javascript'],
      [live({ title: 'a\nb' }), 'live.title: must not contain control character U+000A (at 1)'],
      [live({ streamUrl: '' }), 'live.stream_url: is required'],
      [{ case: undefined }, 'payload: one of article, video or live is required'],
    ];
    for (const [payload, message] of cases) {
      const error = refusal(payload);
      expect(error.code, message).toBe(Code.InvalidArgument);
      expect(error.rawMessage).toBe(message);
      expect(error.metadata.get('x-field-violation')).toBe(message.slice(0, message.indexOf(':')));
    }
  });

  it('accepts the edges of each range', () => {
    expect(() => validatePayload(article({ title: 'x'.repeat(MAX_TITLE) }))).not.toThrow();
    expect(() => validatePayload(video({ durationMs: 1 }))).not.toThrow();
    expect(() => validatePayload(video({ durationMs: MAX_DURATION_MS }))).not.toThrow();
    expect(() => validatePayload(article({ body: 'line one\nline two' }))).not.toThrow();
  });
});

describe('initialPayload', () => {
  it('publishes a live stream as live now, with no viewers yet', () => {
    const validated = validatePayload(live({}));
    expect(initialPayload(validated, '2026-01-01T00:00:00.000Z')).toEqual({
      title: 'Live #now',
      stream_url: 'https://s.example/1',
      live_status: 2,
      viewers: 0,
      started_at: '2026-01-01T00:00:00.000Z',
    });
  });

  it('stores other kinds as validated', () => {
    const validated = validatePayload(article({}));
    expect(initialPayload(validated, '2026-01-01T00:00:00.000Z')).toBe(validated.fields);
  });
});
