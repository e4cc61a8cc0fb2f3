import { describe, expect, it } from 'vitest';
import { validatePayload } from './item-payload.js';
import { publishDigest } from './request-digest.js';

const article = (title: string, body = 'b', coverUrl = '') => validatePayload({ case: 'article', value: { title, body, coverUrl } as never });

describe('publishDigest', () => {
  it('is the same for the same kind and fields, whatever the order they were given in', () => {
    expect(publishDigest(article('t'))).toBe(publishDigest({ ...article('t'), fields: { cover_url: '', body: 'b', title: 't' } }));
    expect(publishDigest(article('t'))).toHaveLength(22);
  });

  it('differs for any field value, and for the kind', () => {
    const base = publishDigest(article('t'));
    expect(publishDigest(article('t2'))).not.toBe(base);
    expect(publishDigest(article('t', 'b2'))).not.toBe(base);
    expect(publishDigest(article('t', 'b', 'https://e.com/c.jpg'))).not.toBe(base);
    expect(publishDigest(validatePayload({ case: 'live', value: { title: 't', streamUrl: 'https://e.com/s' } as never }))).not.toBe(
      publishDigest(validatePayload({ case: 'video', value: { title: 't', url: 'https://e.com/s', durationMs: 1, thumbnailUrl: '' } as never })),
    );
  });

  it('does not normalize Unicode: a different code unit sequence is a different payload', () => {
    expect(publishDigest(article('caf\u00e9'))).not.toBe(publishDigest(article('cafe\u0301')));
  });
});
