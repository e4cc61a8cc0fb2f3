import { clone, fromBinary, toBinary, type DescMessage, type Message } from '@bufbuild/protobuf';
import fc from 'fast-check';
import { fieldPaths, holdsMessages, leafOf, type FieldPath } from './field-paths.js';
import { hostileFieldValue, type HostileValue, type SizeLimits } from './hostile-values.js';
import { baseMessageArbitrary, type ShapeContext } from './message-arbitrary.js';
import { addUnknownField, replaceWithRaw, setField, type RawField } from './message-edits.js';
import { printValue } from './printing.js';
import { nestedGroups, rawFieldArbitrary, unknownFieldValues } from './raw-wire.js';

/** What a case asks of the answer beyond "no INTERNAL / UNKNOWN / 500, no crash". */
export type Expectation =
  /** Not a message at all: InvalidArgument. */
  | 'malformed'
  /** A message whose field the decoder refused: InvalidArgument naming a field. */
  | 'field-rejected'
  /** A message: any answer, but an InvalidArgument names a field. */
  | 'decoded'
  /** Only the basic properties (wrong content type, headers the protocol may refuse as it likes). */
  | 'any';

/** One request body in the protobuf binary encoding, with a readable account of how it was made. */
export interface BinaryCase {
  readonly bytes: Uint8Array;
  readonly change: string;
  readonly expect: Expectation;
}

type Change =
  | { kind: 'none' }
  | { kind: 'set'; path: FieldPath; value: HostileValue }
  | { kind: 'raw'; path: FieldPath; raw: RawField }
  | { kind: 'unknown'; at: FieldPath | undefined; no: number; raw: RawField };

type Corruption =
  | { kind: 'truncate'; at: number }
  | { kind: 'flip'; at: number; mask: number }
  | { kind: 'append' | 'prepend'; bytes: Uint8Array }
  | { kind: 'replace'; bytes: Uint8Array };

export interface TypedChange {
  readonly path: FieldPath;
  readonly value: HostileValue;
}

/** A valid-shaped message with one field set to a hostile value (the typed mutations the JSON cases share). */
export function typedChangeArbitrary(schema: DescMessage, ctx: ShapeContext, limits: SizeLimits): fc.Arbitrary<TypedChange> {
  const paths = fieldPaths(schema);
  return fc.oneof(...paths.map((path) => hostileFieldValue(leafOf(path), ctx, limits).map((value) => ({ path, value }))));
}

export function applyTyped(schema: DescMessage, base: Message, change: TypedChange | undefined): Message {
  const message = clone(schema, base);
  if (change) setField(message, change.path, change.value);
  return message;
}

function changeArbitrary(schema: DescMessage, ctx: ShapeContext, limits: SizeLimits): fc.Arbitrary<Change> {
  const paths = fieldPaths(schema);
  const messagePaths = paths.filter(holdsMessages);
  const declared = new Set(schema.fields.map((f) => f.number));
  const undeclared = fc.constantFrom(99, 1000, 19_500, 536_870_911).filter((n) => !declared.has(n));
  return fc.oneof(
    { weight: 2, arbitrary: fc.constant<Change>({ kind: 'none' }) },
    { weight: 6, arbitrary: typedChangeArbitrary(schema, ctx, limits).map((c): Change => ({ kind: 'set', ...c })) },
    { weight: 3, arbitrary: fc.tuple(fc.constantFrom(...paths), rawFieldArbitrary).map(([path, raw]): Change => ({ kind: 'raw', path, raw })) },
    {
      weight: 1,
      arbitrary: fc
        .tuple(fc.option(fc.constantFrom(...(messagePaths.length ? messagePaths : [undefined])), { nil: undefined }), undeclared, fc.oneof(fc.constantFrom(...unknownFieldValues), fc.integer({ min: 2, max: 20_000 }).map((d) => nestedGroups(99, d))))
        .map(([at, no, raw]): Change => ({ kind: 'unknown', at, no, raw })),
    },
  );
}

function corruptionArbitrary(): fc.Arbitrary<Corruption | undefined> {
  return fc.oneof(
    { weight: 8, arbitrary: fc.constant(undefined) },
    { weight: 2, arbitrary: fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true }).map((at): Corruption => ({ kind: 'truncate', at })) },
    { weight: 1, arbitrary: fc.tuple(fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true }), fc.integer({ min: 1, max: 255 })).map(([at, mask]): Corruption => ({ kind: 'flip', at, mask })) },
    { weight: 1, arbitrary: fc.tuple(fc.constantFrom<'append' | 'prepend'>('append', 'prepend'), fc.uint8Array({ minLength: 1, maxLength: 8 })).map(([kind, bytes]): Corruption => ({ kind, bytes })) },
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: 64 }).map((bytes): Corruption => ({ kind: 'replace', bytes })) },
  );
}

function corrupt(bytes: Uint8Array, c: Corruption | undefined): Uint8Array {
  if (!c) return bytes;
  switch (c.kind) {
    case 'truncate':
      return bytes.subarray(0, Math.floor(c.at * bytes.length));
    case 'flip': {
      if (!bytes.length) return bytes;
      const copy = bytes.slice();
      copy[Math.floor(c.at * copy.length)]! ^= c.mask;
      return copy;
    }
    case 'append':
      return concat(bytes, c.bytes);
    case 'prepend':
      return concat(c.bytes, bytes);
    case 'replace':
      return c.bytes;
  }
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

/** Whether the request decodes as `schema`: the oracle for "malformed bytes answer InvalidArgument". */
export function decodesAs(schema: DescMessage, bytes: Uint8Array): boolean {
  try {
    fromBinary(schema, bytes);
    return true;
  } catch {
    return false;
  }
}

export function binaryCaseArbitrary(schema: DescMessage, ctx: ShapeContext, limits: SizeLimits): fc.Arbitrary<BinaryCase> {
  return fc.tuple(baseMessageArbitrary(schema, ctx), changeArbitrary(schema, ctx, limits), corruptionArbitrary()).map(([base, change, corruption]) => {
    const message = clone(schema, base);
    if (change.kind === 'set') setField(message, change.path, change.value);
    if (change.kind === 'raw') replaceWithRaw(message, change.path, change.raw);
    if (change.kind === 'unknown') addUnknownField(message, change.at, change.no, change.raw);
    const bytes = corrupt(toBinary(schema, message), corruption);
    return {
      bytes,
      change: [describeChange(change), corruption && describeCorruption(corruption)].filter(Boolean).join('; then '),
      expect: decodesAs(schema, bytes) ? 'decoded' : 'malformed',
    };
  });
}

function describeChange(c: Change): string {
  switch (c.kind) {
    case 'none':
      return 'valid-shaped message, unchanged';
    case 'set':
      return `${c.value.target === 'element' ? `${c.path.text}[0]` : c.path.text} := ${printValue(c.value.value)}`;
    case 'raw':
      return `${c.path.text} written as raw wire: ${c.raw.label}`;
    case 'unknown':
      return `unknown field #${c.no} (${c.raw.label}) in ${c.at ? c.at.text : 'the request'}`;
  }
}

function describeCorruption(c: Corruption): string {
  switch (c.kind) {
    case 'truncate':
      return `truncated at ${Math.round(c.at * 100)} %`;
    case 'flip':
      return `byte at ${Math.round(c.at * 100)} % xor 0x${c.mask.toString(16)}`;
    case 'append':
    case 'prepend':
      return `${c.kind}ed ${printValue(c.bytes)}`;
    case 'replace':
      return `replaced by ${printValue(c.bytes)}`;
  }
}
