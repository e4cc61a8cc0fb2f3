import { Code, type ConnectError } from '@connectrpc/connect';
import { fieldError, TEXT_RULES, textProblem, type ControlPolicy } from '@feedmesh/service-kit';

/**
 * Small predicates shared by the request validators. Each returns the reason a value is bad, or
 * undefined when it is fine, so callers can attach the field path they know. Every string goes
 * through the kit's text rule first (U+0000, lone surrogates, control characters by field): the
 * kit applies it to RPC messages already, but the JSON route and per-record validation do not
 * pass through the kit's checks.
 */

/** Length in Unicode code points, so an emoji counts as one character as users expect. */
export function charLength(value: string): number {
  let n = 0;
  for (const _ of value) n++;
  return n;
}

/**
 * Text of min..max characters. `controls`: 'none' for single-line text (titles, keys),
 * 'line-breaks' for bodies (tab, LF and CR allowed).
 */
export function checkText(value: string, min: number, max: number, controls: ControlPolicy): string | undefined {
  const ruleProblem = textProblem(value, { controls, maxLength: Number.POSITIVE_INFINITY });
  if (ruleProblem) return ruleProblem;
  if (value.trim().length === 0) return min > 0 ? 'is required' : undefined;
  const length = charLength(value);
  if (length < min || length > max) return `must be ${min}..${max} characters, got ${length}`;
  return undefined;
}

const MAX_URL_LENGTH = 2_048;

/** An absolute http(s) URL with a host; `required` false lets the empty string through. */
export function checkHttpUrl(value: string, required: boolean): string | undefined {
  if (value === '') return required ? 'is required' : undefined;
  // The URL parser would drop or escape control characters; the stored value is the raw one.
  const ruleProblem = textProblem(value, { controls: 'none', maxLength: MAX_URL_LENGTH });
  if (ruleProblem) return ruleProblem;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'must be an absolute http(s) URL';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return `must use http or https, not ${url.protocol.slice(0, -1)}`;
  if (url.hostname === '') return 'must name a host';
  return undefined;
}

const MAX_USER_ID = 128;

/** User ids: non-empty, bounded, and free of the characters Redis keys and zset members use. */
export function checkUserId(value: string): string | undefined {
  if (value === '') return 'is required';
  const ruleProblem = textProblem(value, { ...TEXT_RULES.identifier, maxLength: MAX_USER_ID });
  if (ruleProblem) return ruleProblem;
  if (/[{}|\s]/.test(value)) return 'must not contain braces, "|" or whitespace';
  return undefined;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function checkItemId(value: string): string | undefined {
  if (value === '') return 'is required';
  if (!UUID.test(value)) return 'must be a UUID';
  return undefined;
}

/** A request naming a user that does not exist: NotFound naming the field. */
export function unknownUser(field: string, userId: string): ConnectError {
  return fieldError(Code.NotFound, field, `user ${JSON.stringify(userId)} does not exist`);
}
