import { describe, expect, it } from 'vitest';
import { copyChunks } from './copy-table.js';
import { copyText, copyTextArray } from './copy-text.js';

describe('COPY text encoding', () => {
  it('escapes the characters COPY treats specially', () => {
    expect(copyText('plain text')).toBe('plain text');
    expect(copyText('a\tb\nc\rd\\e')).toBe('a\\tb\\nc\\rd\\\\e');
    expect(copyText(JSON.stringify({ body: 'line 1\nline "2"' }))).toBe('{"body":"line 1\\\\nline \\\\"2\\\\""}');
    expect(copyTextArray(['ai', 'music'])).toBe('{ai,music}');
  });

  it('groups lines into newline-terminated chunks without losing any', () => {
    const lines = Array.from({ length: 1000 }, (_, i) => `row-${i}`);
    const chunks = [...copyChunks(lines, 100)];
    expect(chunks.length).toBeGreaterThan(10);
    for (const chunk of chunks) expect(chunk.endsWith('\n')).toBe(true);
    expect(chunks.join('').split('\n').slice(0, -1)).toEqual(lines);
  });
});
