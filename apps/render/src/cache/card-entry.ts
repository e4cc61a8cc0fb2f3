// What render caches per item id: the rendered card, or the reason it cannot be rendered
// (negative caching, so ids that do not exist do not hit Postgres on every request).
// Binary layout: [type u8][expiresAtMs f64 BE][card: FeedItem protobuf | missing: reason u8].
import { fromBinary, toBinary } from '@bufbuild/protobuf';
import { FeedItemSchema, MissingReason, type FeedItem } from '@feedmesh/contracts';

export type CardEntry =
  | { type: 'card'; item: FeedItem; expiresAtMs: number }
  | { type: 'missing'; reason: MissingReason; expiresAtMs: number };

const CARD = 1;
const MISSING = 2;
const HEADER_BYTES = 9;

export function encodeCardEntry(entry: CardEntry): Buffer {
  const body = entry.type === 'card' ? toBinary(FeedItemSchema, entry.item) : Uint8Array.of(entry.reason);
  const out = Buffer.allocUnsafe(HEADER_BYTES + body.length);
  out.writeUInt8(entry.type === 'card' ? CARD : MISSING, 0);
  out.writeDoubleBE(entry.expiresAtMs, 1);
  out.set(body, HEADER_BYTES);
  return out;
}

/** Undefined for anything this version did not write (a format change reads as a cache miss). */
export function decodeCardEntry(bytes: Buffer): CardEntry | undefined {
  if (bytes.length < HEADER_BYTES + 1) return undefined;
  const type = bytes.readUInt8(0);
  const expiresAtMs = bytes.readDoubleBE(1);
  if (!Number.isFinite(expiresAtMs)) return undefined;
  if (type === MISSING) {
    const reason = bytes.readUInt8(HEADER_BYTES);
    if (reason !== MissingReason.NOT_FOUND && reason !== MissingReason.DELETED) return undefined;
    return { type: 'missing', reason, expiresAtMs };
  }
  if (type !== CARD) return undefined;
  try {
    return { type: 'card', item: fromBinary(FeedItemSchema, bytes.subarray(HEADER_BYTES)), expiresAtMs };
  } catch {
    return undefined;
  }
}
