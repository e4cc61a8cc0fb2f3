/**
 * Encoding for PostgreSQL's COPY text format: columns separated by tabs, rows by newlines,
 * NULL as \N; backslash, tab, newline and carriage return inside a value are backslash-escaped.
 */

export const COPY_NULL = '\\N';

const SPECIAL = /[\\\t\n\r]/;

export function copyText(value: string): string {
  if (!SPECIAL.test(value)) return value;
  return value.replace(/[\\\t\n\r]/g, (c) => (c === '\\' ? '\\\\' : c === '\t' ? '\\t' : c === '\n' ? '\\n' : '\\r'));
}

/** A text[] literal for slugs made of [a-z0-9-] (no quoting needed). */
export function copyTextArray(values: readonly string[]): string {
  return `{${values.join(',')}}`;
}

export function copyTimestamp(ms: number): string {
  return new Date(ms).toISOString();
}
