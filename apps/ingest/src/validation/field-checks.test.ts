import { describe, expect, it } from 'vitest';
import { checkHttpUrl, checkText, checkUserId } from './field-checks.js';

describe('field checks apply the kit text rule', () => {
  it('refuses U+0000 and lone surrogates in every kind of field', () => {
    expect(checkText('a\u0000b', 1, 10, 'line-breaks')).toBe('must not contain U+0000 (at 1)');
    expect(checkText('a\ud800', 1, 10, 'none')).toBe('must not contain a lone surrogate U+D800 (at 1)');
    expect(checkUserId('u\u0000')).toBe('must not contain U+0000 (at 1)');
    expect(checkHttpUrl('https://e.com/a\u0000', true)).toBe('must not contain U+0000 (at 15)');
  });

  it('allows line breaks in bodies only', () => {
    expect(checkText('line one\nline two\ttab', 1, 100, 'line-breaks')).toBeUndefined();
    expect(checkText('title\nsplit', 1, 100, 'none')).toBe('must not contain control character U+000A (at 5)');
    expect(checkText('bell\u0007', 1, 100, 'line-breaks')).toBe('must not contain control character U+0007 (at 4)');
  });

  it('counts characters as code points', () => {
    expect(checkText('👋'.repeat(3), 1, 3, 'none')).toBeUndefined();
    expect(checkText('👋'.repeat(4), 1, 3, 'none')).toBe('must be 1..3 characters, got 4');
  });

  it('bounds user ids', () => {
    expect(checkUserId('u'.repeat(129))).toBe('must be at most 128 UTF-16 code units, got 129');
    expect(checkUserId('u\u0085')).toBe('must not contain control character U+0085 (at 1)');
  });
});
