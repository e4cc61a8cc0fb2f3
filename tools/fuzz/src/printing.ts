/** Longer strings and byte arrays are cut in reports, with their full length given. */
const maxShown = 48;

/** A short, unambiguous rendering of a value for failure reports: escapes, lengths, no megabyte dumps. */
export function printValue(value: unknown, depth = 0): string {
  if (typeof value === 'string') return printString(value);
  if (typeof value === 'bigint') return `${value}n`;
  if (typeof value === 'number') return Object.is(value, -0) ? '-0' : String(value);
  if (value instanceof Uint8Array) return printBytes(value);
  if (Array.isArray(value)) {
    if (!value.length) return '[]';
    if (value.length > 3 && value.every((v) => v === value[0])) return `[${value.length} × ${printValue(value[0], depth + 1)}]`;
    const shown = value.slice(0, 3).map((v) => printValue(v, depth + 1));
    return `[${shown.join(', ')}${value.length > 3 ? `, … (${value.length} items)` : ''}]`;
  }
  if (value && typeof value === 'object') {
    if (depth > 3) return '{…}';
    const { $typeName, ...fields } = value as Record<string, unknown>;
    const shown = Object.entries(fields)
      .filter(([k, v]) => k !== '$unknown' && !isEmpty(v))
      .map(([k, v]) => `${k}: ${printValue(v, depth + 1)}`);
    const name = typeof $typeName === 'string' ? $typeName.split('.').pop() : '';
    return `${name}{${shown.join(', ')}}`;
  }
  return String(value);
}

function isEmpty(v: unknown): boolean {
  return v === undefined || v === '' || v === 0 || v === 0n || v === false || (Array.isArray(v) && !v.length) || (typeof v === 'object' && v !== null && 'case' in v && (v as { case?: unknown }).case === undefined);
}

export function printString(s: string): string {
  const head = s.length > maxShown ? s.slice(0, maxShown) : s;
  const escaped = [...head]
    .map((ch) => {
      const cp = ch.codePointAt(0)!;
      if (ch === '"' || ch === '\\') return `\\${ch}`;
      if (cp < 0x20 || (cp >= 0x7f && cp < 0xa0) || (cp >= 0xd800 && cp <= 0xdfff) || cp === 0x2028 || cp === 0x2029 || cp === 0xfeff || cp === 0x202e || cp === 0x200b || (cp >= 0xfff0 && cp <= 0xffff)) {
        return `\\u${cp.toString(16).padStart(4, '0')}`;
      }
      return ch;
    })
    .join('');
  return s.length > maxShown ? `"${escaped}…" (${s.length} chars)` : `"${escaped}"`;
}

export function printBytes(bytes: Uint8Array): string {
  const hex = Buffer.from(bytes.subarray(0, maxShown)).toString('hex').replace(/(..)/g, '$1 ').trim();
  return bytes.length > maxShown ? `<${hex} …> (${bytes.length} bytes)` : `<${hex}>`;
}
