// v1 candidates (nested messages or plain objects) as the columns the scorer reads, so the v1
// Rank path runs the same array code as RankBlock. The columns are those of
// `candidateColumns(blockOfCandidates(candidates))` (same dictionaries, bits, saturating counters),
// built straight into typed arrays in one pass: no intermediate block, no per-candidate objects.
// Canonical (lower-case) UUID ids go into the packed id column as they are. Any other ids (tests,
// tools, foreign ids) are replaced by UUIDs that sort the same way, so ties still break by the id
// string order of the input; such columns are for scoring only, their id column does not carry
// the input's ids.
import { CandidateBlockError, MAX_BLOCK_SOURCES, UUID_BYTES, type CandidateColumns } from '../candidate-block.js';
import { compareIds, toNumber, type CandidateLike } from '../candidate.js';

/** The scorer's columns of v1 candidates. Throws CandidateBlockError for more than 32 distinct sources. */
export function columnsOfCandidates(candidates: readonly CandidateLike[]): CandidateColumns {
  const n = candidates.length;
  const ids = new Uint8Array(n * UUID_BYTES);
  for (let i = 0; i < n; i++) {
    if (!writeCanonicalUuid(candidates[i]!.item?.id ?? '', ids, i * UUID_BYTES)) return columnsWithIds(candidates, orderedSurrogateIds(candidates));
  }
  return columnsWithIds(candidates, ids);
}

/** 8-4-4-4-12 lower-case hex: byte order of the packed form equals the string order. */
export function isCanonicalUuid(id: string): boolean {
  return writeCanonicalUuid(id, scratch, 0);
}
const scratch = new Uint8Array(UUID_BYTES);

const U32_MAX = 0xffff_ffff;
/** As the block builder stores counters: non-positive or absent → 0, saturating at 2^32 − 1, integral. */
const counter = (value: number) => (!(value > 0) ? 0 : value > U32_MAX ? U32_MAX : Math.floor(value));

function columnsWithIds(candidates: readonly CandidateLike[], ids: Uint8Array): CandidateColumns {
  const n = candidates.length;
  const kinds = new Uint8Array(n);
  const authorIndex = new Uint32Array(n);
  const createdAtMs = new Float64Array(n);
  const views = new Uint32Array(n);
  const likes = new Uint32Array(n);
  const shares = new Uint32Array(n);
  const hides = new Uint32Array(n);
  const sourceMask = new Uint32Array(n);
  const recallScore = new Float64Array(n);
  const authors: string[] = [];
  const authorPositions = new Map<string, number>();
  const sourceNames: string[] = [];
  const sourcePositions = new Map<string, number>();
  for (let i = 0; i < n; i++) {
    const c = candidates[i]!;
    const item = c.item;
    if (item !== undefined) {
      kinds[i] = item.kind;
      createdAtMs[i] = toNumber(item.createdAtMs);
    }
    const authorId = item?.authorId ?? '';
    let a = authorPositions.get(authorId);
    if (a === undefined) {
      a = authors.length;
      authors.push(authorId);
      authorPositions.set(authorId, a);
    }
    authorIndex[i] = a;
    const stats = c.stats;
    if (stats !== undefined) {
      views[i] = counter(toNumber(stats.views));
      likes[i] = counter(toNumber(stats.likes));
      shares[i] = counter(toNumber(stats.shares));
      hides[i] = counter(toNumber(stats.hides));
    }
    let mask = 0;
    for (const source of c.sources) {
      let bit = sourcePositions.get(source);
      if (bit === undefined) {
        if (sourceNames.length === MAX_BLOCK_SOURCES) throw new CandidateBlockError('source_names', `more than ${MAX_BLOCK_SOURCES} sources`);
        bit = sourceNames.length;
        sourceNames.push(source);
        sourcePositions.set(source, bit);
      }
      mask |= 1 << bit;
    }
    sourceMask[i] = mask >>> 0;
    recallScore[i] = c.recallScore;
  }
  return { count: n, ids, kinds, authors, authorIndex, createdAtMs, views, likes, shares, hides, sourceNames, sourceMask, recallScore };
}

/** Hex digit values of '0'-'9' and 'a'-'f'; -1 for anything else (upper case included). */
const HEX = new Int8Array(128).fill(-1);
for (let d = 0; d < 10; d++) HEX[48 + d] = d;
for (let d = 0; d < 6; d++) HEX[97 + d] = 10 + d;

function writeCanonicalUuid(id: string, out: Uint8Array, offset: number): boolean {
  if (id.length !== 36) return false;
  let byte = offset;
  for (let i = 0; i < 36; i += 2) {
    if (i === 8 || i === 13 || i === 18 || i === 23) {
      if (id.charCodeAt(i) !== 45 /* - */) return false;
      i--;
      continue;
    }
    const hi = id.charCodeAt(i);
    const lo = id.charCodeAt(i + 1);
    const h = hi < 128 ? HEX[hi]! : -1;
    const l = lo < 128 ? HEX[lo]! : -1;
    if (h < 0 || l < 0) return false;
    out[byte++] = (h << 4) | l;
  }
  return true;
}

function orderedSurrogateIds(candidates: readonly CandidateLike[]): Uint8Array {
  const idOf = (c: CandidateLike) => c.item?.id ?? '';
  const distinct = [...new Set(candidates.map(idOf))].sort(compareIds);
  const rank = new Map(distinct.map((id, r) => [id, r]));
  const ids = new Uint8Array(candidates.length * UUID_BYTES);
  candidates.forEach((c, i) => {
    // The rank, big-endian in the last 4 bytes (ranks < 2^32): byte order = rank order.
    const r = rank.get(idOf(c))!;
    const at = i * UUID_BYTES + 12;
    ids[at] = r >>> 24;
    ids[at + 1] = (r >>> 16) & 0xff;
    ids[at + 2] = (r >>> 8) & 0xff;
    ids[at + 3] = r & 0xff;
  });
  return ids;
}
