import { BinaryWriter, WireType } from '@bufbuild/protobuf/wire';
import fc from 'fast-check';
import type { RawField } from './message-edits.js';

const raw = (wireType: number, bytes: number[] | Uint8Array, label: string): RawField => ({ wireType, data: Uint8Array.from(bytes), label });

function encodedVarint(value: bigint): number[] {
  const w = new BinaryWriter();
  w.uint64(value);
  return [...w.finish()];
}

/**
 * Wire values no encoder writes for a field: overlong and 11-byte varints, wrong wire types,
 * lengths past the end, invalid UTF-8 in a length-delimited value, garbage inside a sub-message.
 * Some still decode (a 10-byte varint into a uint32 field); the test decides per case from the bytes.
 */
export const rawFieldValues: readonly RawField[] = [
  raw(WireType.Varint, encodedVarint(2n ** 64n - 1n), 'varint 2^64-1'),
  raw(WireType.Varint, encodedVarint(2n ** 63n), 'varint 2^63'),
  raw(WireType.Varint, encodedVarint(2n ** 32n), 'varint 2^32'),
  raw(WireType.Varint, [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01], '11-byte varint'),
  raw(WireType.Varint, [0x80], 'truncated varint'),
  raw(WireType.Varint, [0x02], 'varint 2'),
  raw(WireType.LengthDelimited, [0x64, 0x61], 'length 100 with 1 byte'),
  raw(WireType.LengthDelimited, [0xff, 0xff, 0xff, 0xff, 0x0f], 'length 2^32-1'),
  raw(WireType.LengthDelimited, [0x02, 0xff, 0xfe], 'invalid UTF-8 ff fe'),
  raw(WireType.LengthDelimited, [0x02, 0xc0, 0x80], 'overlong UTF-8 NUL'),
  raw(WireType.LengthDelimited, [0x03, 0xed, 0xa0, 0x80], 'UTF-8 encoded surrogate'),
  raw(WireType.LengthDelimited, [0x04, 0xf4, 0x90, 0x80, 0x80], 'UTF-8 past U+10FFFF'),
  raw(WireType.LengthDelimited, [0x03, 0x00, 0x01, 0x02], 'field number 0 inside'),
  raw(WireType.LengthDelimited, [0x02, 0x0f, 0x01], 'wire type 7 inside'),
  raw(WireType.LengthDelimited, [0x03, 0x08, 0xff, 0xff], 'truncated varint inside'),
  raw(WireType.LengthDelimited, [0x01, 0x41], 'one byte "A"'),
  raw(WireType.Bit64, [0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0xf8, 0x7f], 'fixed64 NaN bits'),
  raw(WireType.Bit64, [0x01, 0x02, 0x03], 'truncated fixed64'),
  raw(WireType.Bit32, [0x00, 0x00, 0x80, 0x7f], 'fixed32 +Inf bits'),
  raw(WireType.Bit32, [0x01], 'truncated fixed32'),
  raw(WireType.EndGroup, [], 'lone end-group'),
  raw(WireType.StartGroup, [], 'unterminated group'),
  raw(6, [], 'wire type 6'),
  raw(7, [0x00], 'wire type 7'),
];

/** Well-formed values for a field number the schema does not declare. */
export const unknownFieldValues: readonly RawField[] = [
  raw(WireType.Varint, [0x01], 'varint 1'),
  raw(WireType.LengthDelimited, [0x03, 0x61, 0x62, 0x63], 'string "abc"'),
  raw(WireType.Bit64, [0, 0, 0, 0, 0, 0, 0, 0], 'fixed64 0'),
  raw(WireType.Bit32, [0, 0, 0, 0], 'fixed32 0'),
];

/** A group of `depth` nested groups under field `no`, closed properly: deep but well-formed. */
export function nestedGroups(no: number, depth: number): RawField {
  const w = new BinaryWriter();
  for (let i = 1; i < depth; i++) w.tag(no, WireType.StartGroup);
  for (let i = 0; i < depth; i++) w.tag(no, WireType.EndGroup);
  return { wireType: WireType.StartGroup, data: w.finish(), label: `${depth} nested groups` };
}

export const rawFieldArbitrary = fc.constantFrom(...rawFieldValues);
