import { describe, expect, it } from 'vitest';
import { charLength, checkHttpUrl, checkItemId, checkText, checkUserId } from './field-checks.js';

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

describe('field checks of values', () => {
  it('requires text with content when min > 0, and lets empty optional text through', () => {
    expect(checkText('', 1, 10, 'none')).toBe('is required');
    expect(checkText('  \t ', 1, 10, 'line-breaks')).toBe('is required');
    expect(checkText('', 0, 10, 'none')).toBeUndefined();
    expect(checkText('ab', 3, 10, 'none')).toBe('must be 3..10 characters, got 2');
    expect(charLength('a👋é')).toBe(3);
  });

  it('takes absolute http(s) URLs with a host only', () => {
    expect(checkHttpUrl('https://e.com/a?b=1#c', true)).toBeUndefined();
    expect(checkHttpUrl('http://127.0.0.1:8080/', true)).toBeUndefined();
    expect(checkHttpUrl('', false)).toBeUndefined();
    expect(checkHttpUrl('', true)).toBe('is required');
    expect(checkHttpUrl('/relative/path', true)).toBe('must be an absolute http(s) URL');
    expect(checkHttpUrl('mailto:a@e.com', true)).toBe('must use http or https, not mailto');
    expect(checkHttpUrl(`https://e.com/${'x'.repeat(2_048)}`, true)).toMatch(/^must be at most 2048/);
  });

  it('takes user ids usable in Redis keys and members', () => {
    expect(checkUserId('user_42-x.y')).toBeUndefined();
    expect(checkUserId('')).toBe('is required');
    for (const id of ['a{b', 'a}b', 'a|b', 'a b']) expect(checkUserId(id), id).toBe('must not contain braces, "|" or whitespace');
  });

  it('takes item ids that are UUIDs, in either case', () => {
    expect(checkItemId('0f8fad5b-d9cb-469f-a165-70867728950e')).toBeUndefined();
    expect(checkItemId('0F8FAD5B-D9CB-469F-A165-70867728950E')).toBeUndefined();
    expect(checkItemId('')).toBe('is required');
    expect(checkItemId('0f8fad5bd9cb469fa16570867728950e')).toBe('must be a UUID');
  });
});
