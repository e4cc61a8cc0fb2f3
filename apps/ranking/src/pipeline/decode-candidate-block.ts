// Decodes an encoded feedmesh.recall.v1.CandidateBlock straight into typed arrays: one pass over
// the wire bytes, packed varints into Uint32Arrays, packed doubles into Float64Arrays, the id and
// kind columns as views of the request buffer. The generic decoder (fromBinary) builds a number[]
// per column element by element, which for 100k candidates costs several times the ranking itself.
// Same result as `fromBinary(CandidateBlockSchema, bytes)` for what any protobuf encoder writes:
// packed or unpacked repeated fields (repeats append), the last value of a singular field,
// unknown fields skipped. Malformed input throws a WireError.

/** A decoded CandidateBlock whose numeric columns are typed arrays (layout not yet checked). */
export interface DecodedCandidateBlock {
  count: number;
  itemIds: Uint8Array;
  kinds: Uint8Array;
  authors: string[];
  authorIndex: Uint32Array;
  createdAtMs: Float64Array;
  views: Uint32Array;
  likes: Uint32Array;
  shares: Uint32Array;
  hides: Uint32Array;
  sourceNames: string[];
  sourceMask: Uint32Array;
  recallScore: Float64Array;
}

export class WireError extends Error {
  override readonly name = 'WireError';
}

const VARINT = 0;
const FIXED64 = 1;
const LENGTH_DELIMITED = 2;
const FIXED32 = 5;

type U32Field = 'authorIndex' | 'views' | 'likes' | 'shares' | 'hides' | 'sourceMask';
type F64Field = 'createdAtMs' | 'recallScore';
const U32_FIELDS: Record<number, U32Field> = { 5: 'authorIndex', 7: 'views', 8: 'likes', 9: 'shares', 10: 'hides', 12: 'sourceMask' };
const F64_FIELDS: Record<number, F64Field> = { 6: 'createdAtMs', 13: 'recallScore' };

export function decodeCandidateBlock(bytes: Uint8Array): DecodedCandidateBlock {
  const reader = new Reader(bytes);
  const u32 = new Map<U32Field, Uint32Array[]>();
  const f64 = new Map<F64Field, Float64Array[]>();
  const block = {
    count: 0,
    itemIds: new Uint8Array(0) as Uint8Array,
    kinds: new Uint8Array(0) as Uint8Array,
    authors: [] as string[],
    sourceNames: [] as string[],
  };
  while (reader.pos < reader.end) {
    const tag = reader.varint32();
    const field = tag >>> 3;
    const wireType = tag & 7;
    const u32Field = U32_FIELDS[field];
    const f64Field = F64_FIELDS[field];
    if (field === 1 && wireType === VARINT) block.count = reader.varint32();
    else if ((field === 2 || field === 3) && wireType === LENGTH_DELIMITED) {
      const value = reader.bytes();
      if (field === 2) block.itemIds = value;
      else block.kinds = value;
    } else if ((field === 4 || field === 11) && wireType === LENGTH_DELIMITED) {
      (field === 4 ? block.authors : block.sourceNames).push(reader.string());
    } else if (u32Field !== undefined && (wireType === LENGTH_DELIMITED || wireType === VARINT)) {
      append(u32, u32Field, wireType === VARINT ? Uint32Array.of(reader.varint32()) : reader.packedVarint32());
    } else if (f64Field !== undefined && (wireType === LENGTH_DELIMITED || wireType === FIXED64)) {
      append(f64, f64Field, wireType === FIXED64 ? Float64Array.of(reader.double()) : reader.packedDouble());
    } else if (field >= 1 && field <= 13) {
      throw new WireError(`field ${field} has wire type ${wireType}`);
    } else {
      reader.skip(wireType);
    }
  }
  const u32Column = (name: U32Field) => concat(u32.get(name), Uint32Array);
  const f64Column = (name: F64Field) => concat(f64.get(name), Float64Array);
  return {
    ...block,
    authorIndex: u32Column('authorIndex'),
    createdAtMs: f64Column('createdAtMs'),
    views: u32Column('views'),
    likes: u32Column('likes'),
    shares: u32Column('shares'),
    hides: u32Column('hides'),
    sourceMask: u32Column('sourceMask'),
    recallScore: f64Column('recallScore'),
  };
}

function append<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const parts = map.get(key);
  if (parts === undefined) map.set(key, [value]);
  else parts.push(value);
}

function concat<T extends Uint32Array | Float64Array>(parts: T[] | undefined, Type: { new (n: number): T }): T {
  if (parts === undefined) return new Type(0);
  if (parts.length === 1) return parts[0]!;
  const out = new Type(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

class Reader {
  pos = 0;
  readonly end: number;
  private readonly view: DataView;
  private readonly text: Buffer;

  constructor(private readonly buf: Uint8Array) {
    this.end = buf.length;
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    this.text = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  }

  /** A varint's low 32 bits, unsigned (as protobuf reads uint32 from up to 10 bytes). */
  varint32(): number {
    const buf = this.buf;
    let value = 0;
    let shift = 0;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) throw new WireError('premature end of a varint');
      const b = buf[this.pos++]!;
      if (shift < 32) value |= (b & 0x7f) << shift;
      shift += 7;
      if (b < 0x80) return value >>> 0;
    }
    throw new WireError('varint longer than 10 bytes');
  }

  private length(): number {
    const len = this.varint32();
    if (len > this.end - this.pos) throw new WireError(`length ${len} past the end of the message`);
    return len;
  }

  bytes(): Uint8Array {
    const len = this.length();
    const start = this.pos;
    this.pos += len;
    return this.buf.subarray(start, start + len);
  }

  string(): string {
    const len = this.length();
    const start = this.pos;
    this.pos += len;
    return this.text.toString('utf8', start, start + len);
  }

  double(): number {
    if (this.end - this.pos < 8) throw new WireError('premature end of a double');
    const value = this.view.getFloat64(this.pos, true);
    this.pos += 8;
    return value;
  }

  packedVarint32(): Uint32Array {
    const len = this.length();
    const buf = this.buf;
    let pos = this.pos;
    const stop = pos + len;
    let n = 0;
    for (let p = pos; p < stop; p++) n += (buf[p]! >>> 7) ^ 1; // one per byte that ends a varint
    if (len > 0 && buf[stop - 1]! >= 0x80) throw new WireError('packed varints end inside a varint');
    const out = new Uint32Array(n);
    for (let k = 0; k < n; k++) {
      // Up to 5 bytes carry the 32 bits; longer varints (negative int32s) end with skipped bytes.
      let b = buf[pos++]!;
      let value = b & 0x7f;
      if (b >= 0x80) {
        b = buf[pos++]!;
        value |= (b & 0x7f) << 7;
        if (b >= 0x80) {
          b = buf[pos++]!;
          value |= (b & 0x7f) << 14;
          if (b >= 0x80) {
            b = buf[pos++]!;
            value |= (b & 0x7f) << 21;
            if (b >= 0x80) {
              b = buf[pos++]!;
              value |= b << 28;
              while (b >= 0x80) b = buf[pos++]!;
            }
          }
        }
      }
      out[k] = value >>> 0;
    }
    this.pos = pos;
    return out;
  }

  packedDouble(): Float64Array {
    const len = this.length();
    if (len % 8 !== 0) throw new WireError(`packed doubles of ${len} bytes`);
    const n = len / 8;
    const out = new Float64Array(n);
    const view = this.view;
    for (let k = 0, p = this.pos; k < n; k++, p += 8) out[k] = view.getFloat64(p, true);
    this.pos += len;
    return out;
  }

  skip(wireType: number): void {
    switch (wireType) {
      case VARINT:
        this.varint32();
        return;
      case FIXED64:
        if (this.end - this.pos < 8) throw new WireError('premature end of a fixed64');
        this.pos += 8;
        return;
      case LENGTH_DELIMITED: {
        const len = this.length(); // before reading pos: length() moves it
        this.pos += len;
        return;
      }
      case FIXED32:
        if (this.end - this.pos < 4) throw new WireError('premature end of a fixed32');
        this.pos += 4;
        return;
      default:
        throw new WireError(`unsupported wire type ${wireType}`);
    }
  }
}
