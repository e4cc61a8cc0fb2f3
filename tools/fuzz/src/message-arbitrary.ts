import { create, ScalarType, toBinary, type DescField, type DescMessage, type Message } from '@bufbuild/protobuf';
import { timestampFromMs } from '@bufbuild/protobuf/wkt';
import fc from 'fast-check';
import type { ValuePool } from './value-pool.js';

/** Nesting below this depth is left unset, so recursive or deep types stay finite. */
const maxDepth = 3;
const nowMs = BigInt(Date.now());

export interface ShapeContext {
  readonly pool: ValuePool;
  /** Every message type of the contracts: bytes fields sometimes carry one of them, encoded. */
  readonly messages: readonly DescMessage[];
  /**
   * A seed corpus: requests the test made successfully while setting up, by type name. Half the
   * cases start from one of them, so mutations reach the code behind the first checks.
   */
  readonly examples?: ReadonlyMap<string, readonly Message[]>;
}

/** The base of a case: a seed request when the test has some for the type, or a generated one. */
export function baseMessageArbitrary(schema: DescMessage, ctx: ShapeContext): fc.Arbitrary<Message> {
  const generated = messageArbitrary(schema, ctx);
  const examples = ctx.examples?.get(schema.typeName) ?? [];
  return examples.length ? fc.oneof(fc.constantFrom(...examples), generated) : generated;
}

/**
 * A message of `schema` whose every field holds a value of its declared type, drawn from the
 * descriptor alone (no field is named here): the "valid-shaped" base every mutation starts from.
 */
export function messageArbitrary(schema: DescMessage, ctx: ShapeContext, depth = 0): fc.Arbitrary<Message> {
  // The one well-known type in the requests: its JSON form only exists for real instants.
  if (schema.typeName === 'google.protobuf.Timestamp') {
    return fc.integer({ min: -10 * 86_400_000, max: 600_000 }).map((d) => timestampFromMs(Number(nowMs) + d) as Message);
  }
  const parts: Record<string, fc.Arbitrary<unknown>> = {};
  for (const member of schema.members) {
    if (member.kind === 'oneof') {
      parts[member.localName] = fc.oneof(
        fc.constant(undefined),
        ...member.fields.map((f) => singleValue(f, ctx, depth).map((value) => ({ case: f.localName, value }))),
      );
    } else {
      parts[member.localName] = fieldValue(member, ctx, depth);
    }
  }
  return fc.record(parts, { requiredKeys: [] }).map((init) => create(schema, init as never) as Message);
}

function fieldValue(field: DescField, ctx: ShapeContext, depth: number): fc.Arbitrary<unknown> {
  switch (field.fieldKind) {
    case 'list':
      return fc.array(listElement(field, ctx, depth), { maxLength: 4 });
    case 'map':
      return fc.dictionary(fc.string({ maxLength: 8 }), mapValue(field, ctx, depth), { maxKeys: 3 });
    default:
      return singleValue(field, ctx, depth);
  }
}

function singleValue(field: DescField, ctx: ShapeContext, depth: number): fc.Arbitrary<unknown> {
  switch (field.fieldKind) {
    case 'scalar':
      return scalarValue(field.scalar, field.longAsString, ctx, depth);
    case 'enum':
      return fc.constantFrom(...field.enum.values.map((v) => v.number));
    case 'message':
      return depth >= maxDepth ? fc.constant(undefined) : messageArbitrary(field.message, ctx, depth + 1);
    default:
      throw new Error(`unexpected field kind ${field.fieldKind}`);
  }
}

function listElement(field: DescField & { fieldKind: 'list' }, ctx: ShapeContext, depth: number): fc.Arbitrary<unknown> {
  switch (field.listKind) {
    case 'scalar':
      return scalarValue(field.scalar, field.longAsString, ctx, depth);
    case 'enum':
      return fc.constantFrom(...field.enum.values.map((v) => v.number));
    case 'message':
      return depth >= maxDepth ? fc.constant(create(field.message)) : messageArbitrary(field.message, ctx, depth + 1);
  }
}

function mapValue(field: DescField & { fieldKind: 'map' }, ctx: ShapeContext, depth: number): fc.Arbitrary<unknown> {
  switch (field.mapKind) {
    case 'scalar':
      return scalarValue(field.scalar, false, ctx, depth);
    case 'enum':
      return fc.constantFrom(...field.enum.values.map((v) => v.number));
    case 'message':
      return depth >= maxDepth ? fc.constant(create(field.message)) : messageArbitrary(field.message, ctx, depth + 1);
  }
}

/** In-range values of a scalar type, biased to what real requests carry (small counts, "now"). */
export function scalarValue(type: ScalarType, longAsString: boolean, ctx: ShapeContext, depth: number): fc.Arbitrary<unknown> {
  switch (type) {
    case ScalarType.STRING:
      return fc.oneof(
        { weight: 6, arbitrary: ctx.pool.strings.length ? fc.constantFrom(...ctx.pool.strings) : fc.constant('') },
        { weight: 1, arbitrary: fc.uuid() },
        { weight: 1, arbitrary: fc.string({ maxLength: 12 }) },
        { weight: 1, arbitrary: fc.constant('') },
      );
    case ScalarType.BYTES:
      return fc.oneof(
        fc.uint8Array({ maxLength: 24 }),
        ...(ctx.pool.bytes.length ? [fc.constantFrom(...ctx.pool.bytes)] : []),
        ...(depth < maxDepth && ctx.messages.length
          ? [fc.constantFrom(...ctx.messages).chain((m) => messageArbitrary(m, ctx, maxDepth - 1).map((v) => toBinary(m, v)))]
          : []),
      );
    case ScalarType.BOOL:
      return fc.boolean();
    case ScalarType.INT32:
    case ScalarType.SINT32:
    case ScalarType.SFIXED32:
      return fc.oneof(fc.integer({ min: 0, max: 100 }), fc.integer());
    case ScalarType.UINT32:
    case ScalarType.FIXED32:
      return fc.oneof(fc.integer({ min: 0, max: 100 }), fc.integer({ min: 0, max: 0xffff_ffff }));
    case ScalarType.INT64:
    case ScalarType.SINT64:
    case ScalarType.SFIXED64:
      return long(fc.oneof(smallOrNow(), fc.bigInt(-(2n ** 63n), 2n ** 63n - 1n)), longAsString);
    case ScalarType.UINT64:
    case ScalarType.FIXED64:
      return long(fc.oneof(smallOrNow(), fc.bigInt(0n, 2n ** 64n - 1n)), longAsString);
    case ScalarType.DOUBLE:
      return fc.oneof(fc.constant(0), fc.double({ min: -1e6, max: 1e6, noNaN: true }));
    case ScalarType.FLOAT:
      return fc.oneof(fc.constant(0), fc.float({ min: -1e6, max: 1e6, noNaN: true }));
  }
}

/** Small counts, or a time near now in ms or s (deadlines, snapshots, timestamps). */
function smallOrNow(): fc.Arbitrary<bigint> {
  return fc.oneof(
    fc.bigInt(0n, 100n),
    fc.bigInt(-86_400_000n, 60_000n).map((d) => nowMs + d),
    fc.bigInt(-86_400n, 60n).map((d) => nowMs / 1000n + d),
  );
}

function long(values: fc.Arbitrary<bigint>, asString: boolean): fc.Arbitrary<unknown> {
  return asString ? values.map(String) : values;
}
