import { fromJson, toJson, type DescMessage, type JsonValue, type Message } from '@bufbuild/protobuf';
import fc from 'fast-check';
import { applyTyped, typedChangeArbitrary, type Expectation, type TypedChange } from './binary-case.js';
import { fieldPaths, holdsMessages, leafOf, type FieldPath } from './field-paths.js';
import type { SizeLimits } from './hostile-values.js';
import { baseMessageArbitrary, type ShapeContext } from './message-arbitrary.js';
import { printBytes, printString, printValue } from './printing.js';

/** A JSON number or literal written as is (JSON.stringify cannot write 1e400 or -0). */
class RawJson {
  constructor(readonly text: string) {}
}

/** Values of the wrong JSON type for most fields, and edge cases of the right one. */
const wrongJsonValues: readonly unknown[] = [
  null,
  true,
  0,
  -1,
  1.5,
  '',
  'abc',
  [],
  {},
  [null],
  { x: 1 },
  new RawJson('1e400'),
  new RawJson('-0'),
  new RawJson('9007199254740993'),
  new RawJson('123456789012345678901234567890'),
  '9223372036854775808',
  '-9223372036854775809',
  '18446744073709551616',
  2147483648,
  -2147483649,
  4294967296,
  'NaN',
  '-Infinity',
  '1e5',
  ' 1',
  '0x1f',
  '\u0000',
  '\ud800',
  'NOT_A_DECLARED_VALUE',
  '!!!not base64',
  'AAA=',
];

/** Keys no request message declares, some of them dangerous to naive decoders. */
const unknownKeys: readonly string[] = ['zzUnknown', '__proto__', 'constructor', '$typeName', '$unknown', 'toString', ''];

type JsonChange =
  | { kind: 'none' }
  | { kind: 'value'; path: FieldPath; element: boolean; value: unknown }
  | { kind: 'unknown-key'; at: FieldPath | undefined; key: string };

type BodyCorruption =
  | { kind: 'truncate'; at: number }
  | { kind: 'replace'; text: string }
  | { kind: 'nest'; depth: number }
  | { kind: 'invalid-utf8' }
  | { kind: 'bom' }
  | { kind: 'trailing'; text: string }
  | { kind: 'duplicate-key' };

/** One Connect JSON request body with a readable account of how it was made. */
export interface JsonCase {
  readonly body: Uint8Array;
  readonly text: string;
  readonly change: string;
  readonly expect: Expectation;
  /** Names a rejection may name besides declared fields: the unknown key this case added. */
  readonly extraNames: readonly string[];
}

export function jsonCaseArbitrary(schema: DescMessage, ctx: ShapeContext, limits: SizeLimits): fc.Arbitrary<JsonCase> {
  const paths = fieldPaths(schema);
  const objectPaths = paths.filter(holdsMessages);
  const change: fc.Arbitrary<JsonChange> = fc.oneof(
    { weight: 2, arbitrary: fc.constant<JsonChange>({ kind: 'none' }) },
    {
      weight: 5,
      arbitrary: fc
        .tuple(fc.constantFrom(...paths), fc.boolean(), fc.constantFrom(...wrongJsonValues))
        .map(([path, element, value]): JsonChange => ({ kind: 'value', path, element: element && leafOf(path).fieldKind === 'list', value })),
    },
    {
      weight: 1,
      arbitrary: fc
        .tuple(fc.option(fc.constantFrom(...(objectPaths.length ? objectPaths : [undefined])), { nil: undefined }), fc.constantFrom(...unknownKeys))
        .map(([at, key]): JsonChange => ({ kind: 'unknown-key', at, key })),
    },
  );
  const corruption: fc.Arbitrary<BodyCorruption | undefined> = fc.oneof(
    { weight: 10, arbitrary: fc.constant(undefined) },
    { weight: 1, arbitrary: fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true }).map((at): BodyCorruption => ({ kind: 'truncate', at })) },
    { weight: 1, arbitrary: fc.constantFrom('', '[]', 'null', '1', '"text"', 'true', '{', '}', '{"a":}', 'NaN', '\u0000').map((text): BodyCorruption => ({ kind: 'replace', text })) },
    { weight: 1, arbitrary: fc.integer({ min: 100, max: 100_000 }).map((depth): BodyCorruption => ({ kind: 'nest', depth })) },
    { weight: 1, arbitrary: fc.constantFrom<BodyCorruption>({ kind: 'invalid-utf8' }, { kind: 'bom' }, { kind: 'duplicate-key' }, { kind: 'trailing', text: ' x' }, { kind: 'trailing', text: '{}' }) },
  );
  const typed = fc.option(typedChangeArbitrary(schema, ctx, limits).map((c): TypedChange & { skipped?: boolean } => ({ ...c })), { freq: 2, nil: undefined });
  return fc.tuple(baseMessageArbitrary(schema, ctx), typed, change, corruption).map(([base, typedChange, jsonChange, bodyCorruption]) => {
    const json = toJsonOrBase(schema, base, typedChange);
    if (jsonChange.kind === 'value') setJson(json, [...jsonChange.path.json, ...(jsonChange.element ? [0] : [])], jsonChange.value);
    if (jsonChange.kind === 'unknown-key') addKey(json, jsonChange.at ? [...jsonChange.at.json] : [], jsonChange.key);
    const written = writeJson(json);
    const { text, body } = corruptBody(written, bodyCorruption);
    const steps = [
      typedChange && !typedChange.skipped && `${typedChange.value.target === 'element' ? `${typedChange.path.text}[0]` : typedChange.path.text} := ${printValue(typedChange.value.value)}`,
      jsonChange.kind === 'value' && `JSON ${jsonChange.path.json.join('.')}${jsonChange.element ? '[0]' : ''} := ${printJson(jsonChange.value)}`,
      jsonChange.kind === 'unknown-key' && `unknown key ${printString(jsonChange.key)} in ${jsonChange.at ? jsonChange.at.text : 'the request'}`,
      bodyCorruption && describeCorruption(bodyCorruption),
    ].filter(Boolean);
    return {
      body,
      text,
      change: steps.length ? steps.join('; then ') : 'valid-shaped message, unchanged',
      expect: jsonExpectation(schema, body, bodyCorruption),
      extraNames: introducedKeys(jsonChange, bodyCorruption, written),
    };
  });
}

/**
 * Keys the case itself put into the body that no schema declares, which a rejection may name: the
 * unknown key added, the keys of an object given as a field's wrong value (`video := {"x":1}`
 * → `video.x`), and the key a nested value is put under when the body has none.
 */
function introducedKeys(change: JsonChange, corruption: BodyCorruption | undefined, written: string): string[] {
  const keys: string[] = [];
  if (change.kind === 'unknown-key') keys.push(change.key);
  if (change.kind === 'value' && change.value !== null && typeof change.value === 'object' && !Array.isArray(change.value) && !(change.value instanceof RawJson)) {
    keys.push(...Object.keys(change.value));
  }
  if (corruption?.kind === 'nest' && !nestKeyPattern.test(written)) keys.push(nestFallbackKey);
  return keys;
}

/** The message as JSON; a typed change JSON cannot express (a Timestamp out of its range) is left out. */
function toJsonOrBase(schema: DescMessage, base: Message, change: (TypedChange & { skipped?: boolean }) | undefined): Record<string, unknown> {
  try {
    return toJson(schema, applyTyped(schema, base, change)) as Record<string, unknown>;
  } catch {
    if (change) change.skipped = true;
    return toJson(schema, base) as Record<string, unknown>;
  }
}

/**
 * The oracle: a body that is not a JSON object is malformed; an object protobuf-es refuses
 * (wrong type, unknown key, out-of-range number) is a field rejection, which must name the field.
 */
export function jsonExpectation(schema: DescMessage, body: Uint8Array, corruption?: BodyCorruption): Expectation {
  // Invalid UTF-8 may be replaced by U+FFFD before parsing or refused: either is a fair answer.
  // (A BOM may be skipped, as some JSON readers do.)
  if (corruption?.kind === 'invalid-utf8' || corruption?.kind === 'bom') return 'any';
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(body));
  } catch {
    return 'malformed';
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return 'malformed';
  try {
    fromJson(schema, parsed as JsonValue);
    return 'decoded';
  } catch {
    return 'field-rejected';
  }
}

function setJson(root: Record<string, unknown>, path: readonly (string | number)[], value: unknown): void {
  let target: Record<string | number, unknown> = root;
  path.forEach((key, i) => {
    if (i === path.length - 1) {
      if (Array.isArray(target) && typeof key === 'number' && target.length === 0) target.push(value);
      else target[key] = value;
      return;
    }
    const nextIsIndex = typeof path[i + 1] === 'number';
    let next = target[key];
    if (nextIsIndex && !Array.isArray(next)) next = target[key] = [];
    if (!nextIsIndex && (next === null || typeof next !== 'object' || Array.isArray(next))) next = target[key] = {};
    if (Array.isArray(next) && typeof path[i + 1] === 'number' && !next.length && i + 1 < path.length - 1) next.push({});
    target = next as Record<string | number, unknown>;
  });
}

function addKey(root: Record<string, unknown>, path: readonly (string | number)[], key: string): void {
  let target: Record<string | number, unknown> = root;
  path.forEach((k, i) => {
    const nextIsIndex = typeof path[i + 1] === 'number';
    let next = target[k];
    if (nextIsIndex && !Array.isArray(next)) next = target[k] = [{}];
    if (nextIsIndex && Array.isArray(next) && !next.length) next.push({});
    if (!nextIsIndex && (next === null || typeof next !== 'object' || Array.isArray(next))) next = target[k] = {};
    target = next as Record<string | number, unknown>;
  });
  // defineProperty: plain assignment of "__proto__" would set the prototype, not a key.
  Object.defineProperty(target, key, { value: 1, enumerable: true, configurable: true, writable: true });
}

/** JSON text, with RawJson values written verbatim. */
function writeJson(value: unknown): string {
  if (value instanceof RawJson) return value.text;
  if (Array.isArray(value)) return `[${value.map(writeJson).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value)
      .map((k) => `${JSON.stringify(k)}:${writeJson((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

function printJson(value: unknown): string {
  const text = writeJson(value);
  return text.length > 60 ? `${text.slice(0, 60)}… (${text.length} chars)` : text;
}

/** The first key of a JSON object body, which a nested value replaces (or this one, when there is none). */
const nestKeyPattern = /^\{"([^"]+)"/;
const nestFallbackKey = 'x';

function corruptBody(text: string, c: BodyCorruption | undefined): { text: string; body: Uint8Array } {
  const utf8 = (t: string) => ({ text: t, body: new TextEncoder().encode(t) });
  if (!c) return utf8(text);
  switch (c.kind) {
    case 'truncate':
      return utf8(text.slice(0, Math.floor(c.at * text.length)));
    case 'replace':
      return utf8(c.text);
    case 'nest': {
      // A known string field is not needed: the first key of the body gets the nested value.
      const key = nestKeyPattern.exec(text)?.[1] ?? nestFallbackKey;
      return utf8(`{${JSON.stringify(key)}:${'['.repeat(c.depth)}${']'.repeat(c.depth)}}`);
    }
    case 'invalid-utf8': {
      const bytes = new TextEncoder().encode(text);
      const at = text.indexOf('":"');
      const out = new Uint8Array(bytes.length + 2);
      const cut = at >= 0 ? at + 3 : 1;
      out.set(bytes.subarray(0, cut));
      out.set([0xff, 0xfe], cut);
      out.set(bytes.subarray(cut), cut + 2);
      return { text: `${text.slice(0, cut)}<ff fe>${text.slice(cut)}`, body: out };
    }
    case 'bom':
      return utf8(`\ufeff${text}`);
    case 'trailing':
      return utf8(text + c.text);
    case 'duplicate-key': {
      const first = text.match(/^\{("[^"]+":[^,}]+)/)?.[1];
      return utf8(first ? `{${first},${text.slice(1)}` : text);
    }
  }
}

function describeCorruption(c: BodyCorruption): string {
  switch (c.kind) {
    case 'truncate':
      return `body truncated at ${Math.round(c.at * 100)} %`;
    case 'replace':
      return `body replaced by ${printString(c.text)}`;
    case 'nest':
      return `first key's value nested ${c.depth} arrays deep`;
    case 'invalid-utf8':
      return `invalid UTF-8 ${printBytes(Uint8Array.of(0xff, 0xfe))} inside the first string`;
    case 'bom':
      return 'body starts with a BOM';
    case 'trailing':
      return `trailing ${printString(c.text)} after the object`;
    case 'duplicate-key':
      return 'first key repeated';
  }
}
