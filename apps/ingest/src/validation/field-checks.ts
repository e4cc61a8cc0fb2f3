/**
 * Small predicates shared by the request validators. Each returns the reason a value is bad, or
 * undefined when it is fine, so callers can attach the field path they know.
 */

/** Length in Unicode code points, so an emoji counts as one character as users expect. */
export function charLength(value: string): number {
  let n = 0;
  for (const _ of value) n++;
  return n;
}

export function checkText(value: string, min: number, max: number): string | undefined {
  if (value.trim().length === 0) return min > 0 ? 'is required' : undefined;
  const length = charLength(value);
  if (length < min || length > max) return `must be ${min}..${max} characters, got ${length}`;
  return undefined;
}

const MAX_URL_LENGTH = 2_048;

/** An absolute http(s) URL with a host; `required` false lets the empty string through. */
export function checkHttpUrl(value: string, required: boolean): string | undefined {
  if (value === '') return required ? 'is required' : undefined;
  if (value.length > MAX_URL_LENGTH) return `must be at most ${MAX_URL_LENGTH} characters`;
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

/** User ids: non-empty, bounded, and free of the characters Redis keys and zset members use. */
export function checkUserId(value: string): string | undefined {
  if (value === '') return 'is required';
  if (value.length > 128) return 'must be at most 128 characters';
  if (/[{}|\s]/.test(value)) return 'must not contain braces, "|" or whitespace';
  return undefined;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function checkItemId(value: string): string | undefined {
  if (value === '') return 'is required';
  if (!UUID.test(value)) return 'must be a UUID';
  return undefined;
}
