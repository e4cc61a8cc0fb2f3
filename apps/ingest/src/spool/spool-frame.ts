import { crc32 } from 'node:zlib';

// One spooled record on disk: a 20-byte header, then the payload.
//   0  u32  magic "FMS1" (a zero-filled or foreign tail is not mistaken for a record)
//   4  u32  payload length
//   8  f64  append time, Unix ms (the spool's "oldest pending" age)
//  16  u32  CRC-32 of bytes 4..16 (length and time) followed by the payload
// Big-endian. A record is only acknowledged once its bytes are fsync'd, so a record that does not
// read back whole and checksum-valid at the end of a segment is one whose append never returned.

export const FRAME_MAGIC = 0x464d5331;
export const FRAME_HEADER_BYTES = 20;
/** Far above any batch (MAX_MESSAGE_BYTES is 4 MiB); a larger length field is damage. */
export const MAX_FRAME_PAYLOAD_BYTES = 64 * 1024 * 1024;

export function encodeFrame(payload: Uint8Array, appendedAtMs: number): Buffer {
  if (payload.length > MAX_FRAME_PAYLOAD_BYTES) throw new RangeError(`a spool record holds at most ${MAX_FRAME_PAYLOAD_BYTES} bytes, got ${payload.length}`);
  const frame = Buffer.allocUnsafe(FRAME_HEADER_BYTES + payload.length);
  frame.writeUInt32BE(FRAME_MAGIC, 0);
  frame.writeUInt32BE(payload.length, 4);
  frame.writeDoubleBE(appendedAtMs, 8);
  frame.set(payload, FRAME_HEADER_BYTES);
  frame.writeUInt32BE(checksum(frame, payload.length), 16);
  return frame;
}

function checksum(buffer: Buffer, length: number, at = 0): number {
  return crc32(buffer.subarray(at + FRAME_HEADER_BYTES, at + FRAME_HEADER_BYTES + length), crc32(buffer.subarray(at + 4, at + 16)));
}

export type FrameRead =
  /** A whole, checksum-valid record; the next one starts at `end`. */
  | { kind: 'record'; payload: Buffer; appendedAtMs: number; end: number }
  /** The buffer ends inside the record (`needed`: its full size, when the header is readable). */
  | { kind: 'incomplete'; needed?: number }
  /** Not a valid record: `reason` says why; `end` is where it claims to end, when its header is sane. */
  | { kind: 'damaged'; reason: string; end?: number };

/** The record starting at `offset` of `buffer`. */
export function readFrame(buffer: Buffer, offset: number): FrameRead {
  if (buffer.length - offset < FRAME_HEADER_BYTES) return { kind: 'incomplete' };
  if (buffer.readUInt32BE(offset) !== FRAME_MAGIC) return { kind: 'damaged', reason: 'no record header (bad magic)' };
  const length = buffer.readUInt32BE(offset + 4);
  if (length > MAX_FRAME_PAYLOAD_BYTES) return { kind: 'damaged', reason: `impossible record length ${length}` };
  const end = offset + FRAME_HEADER_BYTES + length;
  if (end > buffer.length) return { kind: 'incomplete', needed: FRAME_HEADER_BYTES + length };
  if (checksum(buffer, length, offset) !== buffer.readUInt32BE(offset + 16)) return { kind: 'damaged', reason: 'checksum mismatch', end };
  return { kind: 'record', payload: buffer.subarray(offset + FRAME_HEADER_BYTES, end), appendedAtMs: buffer.readDoubleBE(offset + 8), end };
}

export interface SegmentScan {
  /** Records that read back whole and valid, from the start. */
  records: number;
  /** Bytes those records take: where the segment's valid part ends. */
  validBytes: number;
  /** Append time of the first valid record at or after `from`, if any. */
  firstAppendedAtMs?: number;
  /** Records at or after `from`. */
  recordsFrom: number;
  /**
   * What follows the valid part: nothing; a torn tail (an unfinished last append: bytes that end
   * inside a record, a last record failing its checksum, or zeros), to be cut off; or damage with
   * more data after it (corruption in the middle), which no truncation can make safe.
   */
  tail: { kind: 'clean' } | { kind: 'torn'; bytes: number; reason: string } | { kind: 'corrupt'; at: number; reason: string };
}

/** Reads a whole segment's bytes record by record (see SegmentScan). */
export function scanSegment(buffer: Buffer, from = 0): SegmentScan {
  let offset = 0;
  let records = 0;
  let recordsFrom = 0;
  let firstAppendedAtMs: number | undefined;
  for (;;) {
    if (offset === buffer.length) return { records, validBytes: offset, recordsFrom, firstAppendedAtMs, tail: { kind: 'clean' } };
    const read = readFrame(buffer, offset);
    if (read.kind === 'record') {
      records++;
      if (offset >= from) {
        recordsFrom++;
        firstAppendedAtMs ??= read.appendedAtMs;
      }
      offset = read.end;
      continue;
    }
    const rest = buffer.length - offset;
    const done = { records, validBytes: offset, recordsFrom, firstAppendedAtMs };
    if (read.kind === 'incomplete') return { ...done, tail: { kind: 'torn', bytes: rest, reason: 'ends inside a record' } };
    if (read.end === buffer.length) return { ...done, tail: { kind: 'torn', bytes: rest, reason: `last record: ${read.reason}` } };
    if (isZero(buffer, offset)) return { ...done, tail: { kind: 'torn', bytes: rest, reason: 'zero-filled tail' } };
    return { ...done, tail: { kind: 'corrupt', at: offset, reason: read.reason } };
  }
}

function isZero(buffer: Buffer, from: number): boolean {
  for (let i = from; i < buffer.length; i++) if (buffer[i] !== 0) return false;
  return true;
}
