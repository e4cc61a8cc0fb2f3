import { create, ScalarType, type DescField } from '@bufbuild/protobuf';
import fc from 'fast-check';
import { messageArbitrary, scalarValue, type ShapeContext } from './message-arbitrary.js';

/** How big "huge" gets: GET puts the request in the URL, so it gets smaller ones. */
export interface SizeLimits {
  readonly hugeString: number;
  readonly hugeList: number;
}

/** Strings that break naive code: NUL and control characters, lone surrogates, odd Unicode, injection. */
export const hostileStrings: readonly string[] = [
  '\u0000',
  'a\u0000b',
  '\u0001\u0002\u001f',
  '\t\n\r',
  '\u007f',
  '\u0085',
  '\u2028\u2029',
  '\ud800',
  'a\udfffb',
  '\udc00\ud800',
  '\ufeff',
  '\uffff',
  '\u202eevil',
  '😀😀😀',
  'e\u0301\u0301\u0301',
  ' ',
  '   ',
  '%00',
  '../../etc/passwd',
  '*',
  '{a}:[b]',
  "'; DROP TABLE users; --",
  '\\',
  '"',
  '<script>alert(1)</script>',
  '0',
  '-1',
  'null',
  '__proto__',
  'constructor',
];

const controlChars = ['\u0000', '\u0001', '\u0008', '\u000b', '\u001b', '\u007f', '\u0085', '\u200b', '\ud800', '\udfff', '\ufffe'];

function hostileString(ctx: ShapeContext, limits: SizeLimits): fc.Arbitrary<string> {
  const poolString = ctx.pool.strings.length ? fc.constantFrom(...ctx.pool.strings) : fc.constant('x');
  return fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...hostileStrings) },
    // A plausible value (a real user id, a URL) with one bad character inside.
    { weight: 4, arbitrary: fc.tuple(poolString, fc.constantFrom(...controlChars), fc.nat()).map(([s, c, at]) => insertAt(s, c, at % (s.length + 1))) },
    { weight: 2, arbitrary: fc.tuple(poolString, fc.integer({ min: 129, max: limits.hugeString })).map(([s, n]) => s.repeat(Math.ceil(n / Math.max(1, s.length))).slice(0, n)) },
    { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  );
}

function insertAt(s: string, c: string, at: number): string {
  return s.slice(0, at) + c + s.slice(at);
}

/** Extreme values of each scalar type that the type can still hold (out-of-range ones are raw wire mutations). */
export function hostileScalar(type: ScalarType, longAsString: boolean, ctx: ShapeContext, limits: SizeLimits): fc.Arbitrary<unknown> {
  const longs = (values: bigint[]) => fc.constantFrom(...values.map((v) => (longAsString ? String(v) : v)));
  switch (type) {
    case ScalarType.STRING:
      return hostileString(ctx, limits);
    case ScalarType.BYTES:
      return fc.oneof(fc.constant(new Uint8Array(0)), fc.integer({ min: 1000, max: limits.hugeString }).map((n) => new Uint8Array(n).fill(0xff)), fc.uint8Array({ minLength: 1, maxLength: 64 }));
    case ScalarType.BOOL:
      return fc.boolean();
    case ScalarType.INT32:
    case ScalarType.SINT32:
    case ScalarType.SFIXED32:
      return fc.constantFrom(-1, -2147483648, 2147483647, 2147483646);
    case ScalarType.UINT32:
    case ScalarType.FIXED32:
      return fc.constantFrom(4294967295, 4294967294, 2147483648, 2147483647, 100_000_000);
    case ScalarType.INT64:
    case ScalarType.SINT64:
    case ScalarType.SFIXED64:
      return longs([-(2n ** 63n), 2n ** 63n - 1n, -1n, 2n ** 53n + 1n, -(2n ** 53n) - 1n, 2n ** 31n, 10n ** 15n]);
    case ScalarType.UINT64:
    case ScalarType.FIXED64:
      return longs([2n ** 64n - 1n, 2n ** 63n, 2n ** 53n + 1n, 10n ** 15n]);
    case ScalarType.DOUBLE:
      return fc.constantFrom(NaN, Infinity, -Infinity, -0, Number.MAX_VALUE, -Number.MAX_VALUE, Number.MIN_VALUE, 1e308, 2 ** 53 + 2, -1);
    case ScalarType.FLOAT:
      return fc.constantFrom(NaN, Infinity, -Infinity, -0, 3.4028234663852886e38, 1.401298464324817e-45, -1);
  }
}

/** Enum numbers the schema does not define (proto3 enums are open on the wire). */
export function unknownEnumValue(values: readonly { number: number }[]): fc.Arbitrary<number> {
  const defined = new Set(values.map((v) => v.number));
  return fc.constantFrom(-1, -2147483648, 2147483647, Math.max(...defined) + 1, 99).filter((n) => !defined.has(n));
}

/**
 * A hostile value for one field, as protobuf-es holds it: for a list either a hostile element
 * (placed at index 0) or a huge list, for a message an empty one or none.
 */
export function hostileFieldValue(field: DescField, ctx: ShapeContext, limits: SizeLimits): fc.Arbitrary<HostileValue> {
  switch (field.fieldKind) {
    case 'scalar':
      return hostileScalar(field.scalar, field.longAsString, ctx, limits).map((value) => ({ target: 'field', value }));
    case 'enum':
      return unknownEnumValue(field.enum.values).map((value) => ({ target: 'field', value }));
    case 'message':
      return fc.constantFrom<HostileValue>({ target: 'field', value: create(field.message) }, { target: 'field', value: undefined });
    case 'map':
      return fc.constant<HostileValue>({ target: 'field', value: {} });
    case 'list': {
      const valid =
        field.listKind === 'message' ? messageArbitrary(field.message, ctx, 2) : field.listKind === 'enum' ? fc.constant(field.enum.values[0]!.number) : scalarValue(field.scalar, field.longAsString, ctx, 2);
      const hostile: fc.Arbitrary<unknown> =
        field.listKind === 'message' ? fc.constant(create(field.message)) : field.listKind === 'enum' ? unknownEnumValue(field.enum.values) : hostileScalar(field.scalar, field.longAsString, ctx, limits);
      return fc.oneof(
        hostile.map((value): HostileValue => ({ target: 'element', value })),
        // Huge lists of huge values would only test the message size limit: elements stay small.
        fc.tuple(fc.integer({ min: 100, max: limits.hugeList }), fc.oneof(valid, hostile.filter(isSmall))).map(([n, e]): HostileValue => ({ target: 'field', value: new Array(n).fill(e) })),
        fc.constant<HostileValue>({ target: 'field', value: [] }),
      );
    }
  }
}

function isSmall(value: unknown): boolean {
  return !((typeof value === 'string' || value instanceof Uint8Array) && value.length > 1_000);
}

export interface HostileValue {
  readonly target: 'field' | 'element';
  readonly value: unknown;
}
