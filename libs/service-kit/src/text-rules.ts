/**
 * The one rule for strings that arrive in requests, shared by the kit's descriptor-driven message
 * checks (every string field of every RPC) and by handlers that validate records themselves
 * (ingest's engagement batches, its JSON route).
 *
 * Always refused:
 * - U+0000: Postgres text cannot hold it (the statement fails), and C strings end at it;
 * - lone surrogates (U+D800..U+DFFF not forming a pair; JSON's `"\ud800"` decodes to one): they
 *   have no UTF-8 encoding, so the value cannot be stored or sent on as given;
 * - more than `maxLength` UTF-16 code units.
 *
 * By the field's `controls` policy, also refused:
 * - `'none'`: every C0 and C1 control character and DEL (identifiers, titles, URLs);
 * - `'line-breaks'`: the same except tab, line feed and carriage return (bodies).
 *
 * One regular expression per policy decides in one native pass with no allocation when the value
 * is clean (the `u` flag makes a surrogate pair one code point, so the range matches lone ones).
 */

export type ControlPolicy = 'any' | 'line-breaks' | 'none';

export interface TextRule {
  controls: ControlPolicy;
  /** Longest accepted value in UTF-16 code units (`String.length`, O(1)). */
  maxLength: number;
}

/** Every string of every request: longer than any field's own limit (bodies: 100,000 characters). */
export const MAX_STRING_LENGTH = 262_144;
/** Ids of every kind (`id`, `*_id`, `*_ids` fields). */
export const MAX_IDENTIFIER_LENGTH = 1_024;

export const TEXT_RULES = {
  /** Any string field: no U+0000, no lone surrogates, at most MAX_STRING_LENGTH. */
  any: { controls: 'any', maxLength: MAX_STRING_LENGTH },
  /** Identifier fields: no control characters either, at most MAX_IDENTIFIER_LENGTH. */
  identifier: { controls: 'none', maxLength: MAX_IDENTIFIER_LENGTH },
} as const satisfies Record<string, TextRule>;

// Matching control characters is the point of these expressions.
/* eslint-disable no-control-regex */
const FORBIDDEN: Record<ControlPolicy, RegExp> = {
  any: /[\0\ud800-\udfff]/u,
  'line-breaks': /[\0-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]/u,
  none: /[\0-\x1f\x7f-\x9f\ud800-\udfff]/u,
};
/* eslint-enable no-control-regex */

/**
 * The rule as a function: why a value breaks it (a reason to put after the field path), or
 * undefined when it is fine. The clean path is one length compare and one regex test.
 */
export function textCheck(rule: TextRule): (value: string) => string | undefined {
  const forbidden = FORBIDDEN[rule.controls];
  const { maxLength } = rule;
  return (value) => (value.length <= maxLength && !forbidden.test(value) ? undefined : explain(value, maxLength, forbidden));
}

/** Why `value` breaks `rule`, or undefined when it is fine (textCheck without the compile step). */
export function textProblem(value: string, rule: TextRule): string | undefined {
  const forbidden = FORBIDDEN[rule.controls];
  return value.length <= rule.maxLength && !forbidden.test(value) ? undefined : explain(value, rule.maxLength, forbidden);
}

function explain(value: string, maxLength: number, forbidden: RegExp): string {
  if (value.length > maxLength) return `must be at most ${maxLength} UTF-16 code units, got ${value.length}`;
  const match = forbidden.exec(value)!;
  const char = match[0];
  const at = ` (at ${match.index})`;
  if (char === '\0') return `must not contain U+0000${at}`;
  const code = char.charCodeAt(0);
  const name = `U+${code.toString(16).toUpperCase().padStart(4, '0')}`;
  if (code >= 0xd800 && code <= 0xdfff) return `must not contain a lone surrogate ${name}${at}`;
  return `must not contain control character ${name}${at}`;
}

/** Identifier fields by their proto name: `id`, `*_id` and (repeated) `*_ids`. */
export function isIdentifierName(protoName: string): boolean {
  return protoName === 'id' || protoName.endsWith('_id') || protoName.endsWith('_ids');
}
