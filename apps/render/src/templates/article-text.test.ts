import { describe, expect, it } from 'vitest';
import { countWords, excerpt, EXCERPT_MAX_CHARS, readingTimeSeconds, toPlainText } from './article-text.js';

describe('article text', () => {
  it('keeps a short body whole, as plain text', () => {
    expect(excerpt('<p>Hello   <b>world</b>.</p>\n\nBye.')).toBe('Hello world . Bye.');
    expect(toPlainText('a\n\n b')).toBe('a b');
  });

  it('cuts a long body after the last whole sentence that fits', () => {
    const body = Array.from({ length: 40 }, (_, i) => `Sentence ${i} is here.`).join(' ');
    const out = excerpt(body);
    expect(out.length).toBeLessThanOrEqual(EXCERPT_MAX_CHARS);
    expect(out.endsWith('.')).toBe(true);
    expect(body.startsWith(out)).toBe(true);
    // One more sentence would not have fitted.
    const nextSentence = `${body.slice(out.length + 1).split('. ')[0]}.`;
    expect(out.length + 1 + nextSentence.length).toBeGreaterThan(EXCERPT_MAX_CHARS);
  });

  it('cuts an overlong first sentence at a word boundary with an ellipsis', () => {
    const out = excerpt('word '.repeat(100).trim());
    expect(out.length).toBeLessThanOrEqual(EXCERPT_MAX_CHARS);
    expect(out.endsWith('word…')).toBe(true);
  });

  it('estimates reading time at 230 words per minute, rounded up', () => {
    expect(readingTimeSeconds('')).toBe(0);
    expect(readingTimeSeconds('one')).toBe(1);
    expect(readingTimeSeconds('w '.repeat(230))).toBe(60);
    expect(readingTimeSeconds('w '.repeat(231))).toBe(61);
    expect(countWords('  a  b\nc ')).toBe(3);
  });
});
