import { describe, expect, it } from 'vitest';
import { isIdentifierName, MAX_IDENTIFIER_LENGTH, MAX_STRING_LENGTH, TEXT_RULES, textProblem } from './text-rules.js';

describe('textProblem', () => {
  it('accepts ordinary text, emoji (surrogate pairs) and line breaks where allowed', () => {
    expect(textProblem('héllo 👋 世界', TEXT_RULES.any)).toBeUndefined();
    expect(textProblem('a\tb\nc\r\n', { controls: 'line-breaks', maxLength: 100 })).toBeUndefined();
    expect(textProblem('', TEXT_RULES.identifier)).toBeUndefined();
    expect(textProblem('x'.repeat(MAX_STRING_LENGTH), TEXT_RULES.any)).toBeUndefined();
  });

  it('refuses U+0000 under every policy, naming its position', () => {
    for (const controls of ['any', 'line-breaks', 'none'] as const) {
      expect(textProblem('a\u0000b', { controls, maxLength: 10 })).toBe('must not contain U+0000 (at 1)');
    }
  });

  it('refuses lone surrogates, high or low, at either end, but not pairs', () => {
    expect(textProblem('a\ud800', TEXT_RULES.any)).toBe('must not contain a lone surrogate U+D800 (at 1)');
    expect(textProblem('\udc00a', TEXT_RULES.any)).toBe('must not contain a lone surrogate U+DC00 (at 0)');
    expect(textProblem('\ud83d\ude00\ude00', TEXT_RULES.any)).toBe('must not contain a lone surrogate U+DE00 (at 2)');
    expect(textProblem('\ud83d\ude00', TEXT_RULES.identifier)).toBeUndefined();
  });

  it('refuses control characters by policy', () => {
    expect(textProblem('a\u0007', TEXT_RULES.any)).toBeUndefined();
    expect(textProblem('a\u0007', { controls: 'line-breaks', maxLength: 10 })).toBe('must not contain control character U+0007 (at 1)');
    expect(textProblem('a\nb', { controls: 'line-breaks', maxLength: 10 })).toBeUndefined();
    expect(textProblem('a\nb', TEXT_RULES.identifier)).toBe('must not contain control character U+000A (at 1)');
    expect(textProblem('\u007f', TEXT_RULES.identifier)).toBe('must not contain control character U+007F (at 0)');
    expect(textProblem('\u0085', TEXT_RULES.identifier)).toBe('must not contain control character U+0085 (at 0)');
    expect(textProblem('\u00a0', TEXT_RULES.identifier)).toBeUndefined();
  });

  it('refuses over-long values before scanning them', () => {
    expect(textProblem('x'.repeat(MAX_IDENTIFIER_LENGTH + 1), TEXT_RULES.identifier)).toBe(
      `must be at most ${MAX_IDENTIFIER_LENGTH} UTF-16 code units, got ${MAX_IDENTIFIER_LENGTH + 1}`,
    );
  });
});

describe('isIdentifierName', () => {
  it('knows ids by their proto names', () => {
    expect(['id', 'user_id', 'item_ids', 'request_id'].every(isIdentifierName)).toBe(true);
    expect(['title', 'cursor', 'identity', 'valid'].some(isIdentifierName)).toBe(false);
  });
});
