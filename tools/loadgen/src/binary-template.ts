// A request body's proto binary encoding, compiled once: the bytes of every field without a
// placeholder are encoded at compile time, and a request only writes the placeholder fields (and
// the length prefixes of the messages that contain them) into a fresh buffer.
//
// Fields are written in field-number order within each message, except that the fields holding
// placeholders follow the constant ones: parsers must accept fields in any order
// (protobuf.dev/programming-guides/encoding/#order), and repeated fields keep their element order.
// Supported placements are those of the field setters in body-template.ts that are safe to splice:
// string and 32-bit / floating number scalars, in plain nested messages and in repeated messages or
// repeated strings. Anything else, or a template whose output does not decode to the expected
// message, returns undefined and the body is encoded per request.
import { clearField, clone, equals, fromBinary, ScalarType, toBinary, type DescField, type DescMessage, type Message } from '@bufbuild/protobuf';
import { BinaryWriter, WireType } from '@bufbuild/protobuf/wire';
import { FeatureSet_FieldPresence } from '@bufbuild/protobuf/wkt';
import { GRPC_PREFIX_BYTES, writeGrpcPrefix, type PathKey, type PlaceholderSite } from './body-template.js';

export interface BinaryTemplate {
  /** Encodes the request with each site's current value (as a gRPC frame when compiled so). */
  render(): Buffer;
}

/** Constant bytes, a placeholder value, or a nested message that contains placeholders. */
type Part = Buffer | StringPart | NumberPart | MessagePart;

interface StringPart {
  readonly kind: 'string';
  readonly tag: Buffer;
  readonly site: number;
  /** Implicit presence: an empty string is not encoded. */
  readonly omitEmpty: boolean;
}

interface NumberPart {
  readonly kind: 'number';
  readonly field: DescField & { scalar: ScalarType };
  readonly site: number;
  readonly omitZero: boolean;
}

interface MessagePart {
  readonly kind: 'message';
  readonly tag: Buffer;
  readonly parts: readonly Part[];
  /** Scratch: the encoded size this request (set by the size pass). */
  size: number;
}

interface SiteAt {
  readonly site: number;
  readonly path: readonly PathKey[];
}

const NUMBER_WRITERS: Partial<Record<ScalarType, { wireType: WireType; write: (writer: BinaryWriter, value: number) => BinaryWriter }>> = {
  [ScalarType.DOUBLE]: { wireType: WireType.Bit64, write: (w, v) => w.double(v) },
  [ScalarType.FLOAT]: { wireType: WireType.Bit32, write: (w, v) => w.float(v) },
  [ScalarType.INT32]: { wireType: WireType.Varint, write: (w, v) => w.int32(v) },
  [ScalarType.UINT32]: { wireType: WireType.Varint, write: (w, v) => w.uint32(v) },
  [ScalarType.SINT32]: { wireType: WireType.Varint, write: (w, v) => w.sint32(v) },
  [ScalarType.FIXED32]: { wireType: WireType.Bit32, write: (w, v) => w.fixed32(v) },
  [ScalarType.SFIXED32]: { wireType: WireType.Bit32, write: (w, v) => w.sfixed32(v) },
};

export function compileBinaryTemplate(
  schema: DescMessage,
  message: Message,
  sites: readonly PlaceholderSite[],
  grpcFrame: boolean,
): BinaryTemplate | undefined {
  const headroom = grpcFrame ? GRPC_PREFIX_BYTES : 0;
  const parts = compileParts(schema, message, sites.map((site, index) => ({ site: index, path: site.path })));
  if (parts === undefined) return undefined;
  const count = sites.length;
  const strings = new Array<string>(count).fill('');
  const stringBytes = new Array<number>(count).fill(0);
  const numbers = new Array<Uint8Array | undefined>(count).fill(undefined);

  const sizeOf = (list: readonly Part[]): number => {
    let size = 0;
    for (const part of list) {
      if (Buffer.isBuffer(part)) size += part.length;
      else if (part.kind === 'string') {
        const bytes = stringBytes[part.site];
        if (bytes > 0 || !part.omitEmpty) size += part.tag.length + varintSize(bytes) + bytes;
      } else if (part.kind === 'number') size += numbers[part.site]?.length ?? 0;
      else {
        part.size = sizeOf(part.parts);
        size += part.tag.length + varintSize(part.size) + part.size;
      }
    }
    return size;
  };
  const write = (list: readonly Part[], out: Buffer, offset: number): number => {
    for (const part of list) {
      if (Buffer.isBuffer(part)) offset += part.copy(out, offset);
      else if (part.kind === 'string') {
        const bytes = stringBytes[part.site];
        if (bytes === 0 && part.omitEmpty) continue;
        offset += part.tag.copy(out, offset);
        offset = writeVarint(out, offset, bytes);
        offset += out.write(strings[part.site], offset, bytes, 'utf8');
      } else if (part.kind === 'number') {
        const bytes = numbers[part.site];
        if (bytes !== undefined) {
          out.set(bytes, offset);
          offset += bytes.length;
        }
      } else {
        offset += part.tag.copy(out, offset);
        offset = writeVarint(out, offset, part.size);
        offset = write(part.parts, out, offset);
      }
    }
    return offset;
  };
  const numberParts: NumberPart[] = [];
  collectNumberParts(parts, numberParts);
  const render = (): Buffer => {
    for (let i = 0; i < count; i++) {
      const value = sites[i].render();
      strings[i] = value;
      stringBytes[i] = Buffer.byteLength(value, 'utf8');
    }
    for (const part of numberParts) numbers[part.site] = encodeNumber(part, strings[part.site]);
    const size = sizeOf(parts);
    const out = Buffer.allocUnsafe(headroom + size);
    if (grpcFrame) writeGrpcPrefix(out, size);
    write(parts, out, headroom);
    return out;
  };

  // Proof on the compile-time values (the message was built from them): the template must decode
  // to exactly that message, or it is not used.
  try {
    const decoded = fromBinary(schema, render().subarray(headroom));
    if (!equals(schema, decoded, message)) return undefined;
  } catch {
    return undefined;
  }
  return { render };
}

function compileParts(desc: DescMessage, message: Message, sites: readonly SiteAt[]): Part[] | undefined {
  const byField = new Map<DescField, SiteAt[]>();
  for (const site of sites) {
    const key = site.path[0];
    if (typeof key !== 'string') return undefined;
    const field = desc.fields.find((f) => f.jsonName === key || f.name === key);
    if (field === undefined || field.oneof !== undefined) return undefined;
    const list = byField.get(field) ?? [];
    list.push({ site: site.site, path: site.path.slice(1) });
    byField.set(field, list);
  }
  const rest = clone(desc, message);
  for (const field of byField.keys()) clearField(rest, field);
  const parts: Part[] = [];
  const constant = toBinary(desc, rest);
  if (constant.length > 0) parts.push(Buffer.from(constant));
  const record = message as unknown as Record<string, unknown>;
  for (const [field, fieldSites] of [...byField].sort((a, b) => a[0].number - b[0].number)) {
    const value = record[field.localName];
    if (field.fieldKind === 'scalar') {
      if (fieldSites.length !== 1 || fieldSites[0].path.length !== 0) return undefined;
      const part = scalarPart(field, fieldSites[0].site, field.presence === FeatureSet_FieldPresence.IMPLICIT);
      if (part === undefined) return undefined;
      parts.push(part);
    } else if (field.fieldKind === 'message') {
      if (isWellKnown(field.message)) return undefined;
      const nested = compileParts(field.message, value as Message, fieldSites);
      if (nested === undefined) return undefined;
      parts.push({ kind: 'message', tag: tagBytes(field.number, WireType.LengthDelimited), parts: nested, size: 0 });
    } else if (field.fieldKind === 'list') {
      const elements = value as unknown[];
      const byIndex = new Map<number, SiteAt[]>();
      for (const site of fieldSites) {
        const index = site.path[0];
        if (typeof index !== 'number') return undefined;
        const list = byIndex.get(index) ?? [];
        list.push({ site: site.site, path: site.path.slice(1) });
        byIndex.set(index, list);
      }
      const tag = tagBytes(field.number, WireType.LengthDelimited);
      if (field.listKind === 'scalar' && field.scalar === ScalarType.STRING) {
        for (let i = 0; i < elements.length; i++) {
          const elementSites = byIndex.get(i);
          if (elementSites === undefined) parts.push(Buffer.from(new BinaryWriter().tag(field.number, WireType.LengthDelimited).string(elements[i] as string).finish()));
          else if (elementSites.length === 1 && elementSites[0].path.length === 0) parts.push({ kind: 'string', tag, site: elementSites[0].site, omitEmpty: false });
          else return undefined;
        }
      } else if (field.listKind === 'message' && !isWellKnown(field.message)) {
        for (let i = 0; i < elements.length; i++) {
          const elementSites = byIndex.get(i);
          if (elementSites === undefined) {
            const bytes = toBinary(field.message, elements[i] as Message);
            parts.push(Buffer.from(new BinaryWriter().tag(field.number, WireType.LengthDelimited).bytes(bytes).finish()));
          } else {
            const nested = compileParts(field.message, elements[i] as Message, elementSites);
            if (nested === undefined) return undefined;
            parts.push({ kind: 'message', tag, parts: nested, size: 0 });
          }
        }
      } else {
        return undefined;
      }
    } else {
      return undefined;
    }
  }
  return parts;
}

function scalarPart(field: DescField & { fieldKind: 'scalar' }, site: number, implicit: boolean): Part | undefined {
  if (field.scalar === ScalarType.STRING) return { kind: 'string', tag: tagBytes(field.number, WireType.LengthDelimited), site, omitEmpty: implicit };
  if (NUMBER_WRITERS[field.scalar] !== undefined) return { kind: 'number', field, site, omitZero: implicit };
  return undefined;
}

function collectNumberParts(parts: readonly Part[], out: NumberPart[]): void {
  for (const part of parts) {
    if (Buffer.isBuffer(part)) continue;
    if (part.kind === 'number') out.push(part);
    else if (part.kind === 'message') collectNumberParts(part.parts, out);
  }
}

/** Tag and value bytes, or undefined when implicit presence leaves a zero out. Throws on a value the field cannot hold. */
function encodeNumber(part: NumberPart, text: string): Uint8Array | undefined {
  const value = Number(text);
  if (part.omitZero && value === 0) return undefined;
  const { wireType, write } = NUMBER_WRITERS[part.field.scalar]!;
  return write(new BinaryWriter().tag(part.field.number, wireType), value).finish();
}

function isWellKnown(desc: DescMessage): boolean {
  return desc.file.name.startsWith('google/');
}

function tagBytes(fieldNo: number, wireType: WireType): Buffer {
  return Buffer.from(new BinaryWriter().tag(fieldNo, wireType).finish());
}

export function varintSize(value: number): number {
  let size = 1;
  while (value >= 0x80) {
    value = Math.floor(value / 128);
    size++;
  }
  return size;
}

function writeVarint(out: Buffer, offset: number, value: number): number {
  while (value >= 0x80) {
    out[offset++] = (value & 0x7f) | 0x80;
    value = Math.floor(value / 128);
  }
  out[offset++] = value;
  return offset;
}
