// The columnar candidate form of the page path (recall.v1.CandidateBlock, ranking.v1.RankedBlock):
// entry i of every column belongs to candidate i. 500 candidates become a dozen packed arrays
// instead of 500 nested messages with UUID strings and bigints, and ranking scores them as arrays.
// Ids travel as 16-byte UUIDs; byte order equals the canonical lower-case string order, so ties
// break the same way as on strings.
import type { CandidateBlock, RankedBlock } from '@feedmesh/contracts';
import type { CandidateLike } from './candidate.js';
import { toNumber } from './candidate.js';

export const UUID_BYTES = 16;
/** Source masks are uint32. */
export const MAX_BLOCK_SOURCES = 32;

/** A CandidateBlock as read: plain arrays (or typed arrays), no per-candidate objects. */
export interface CandidateColumns {
  count: number;
  /** count × 16 bytes. */
  ids: Uint8Array;
  kinds: Uint8Array;
  authors: readonly string[];
  authorIndex: ArrayLike<number>;
  createdAtMs: ArrayLike<number>;
  views: ArrayLike<number>;
  likes: ArrayLike<number>;
  shares: ArrayLike<number>;
  hides: ArrayLike<number>;
  sourceNames: readonly string[];
  sourceMask: ArrayLike<number>;
  recallScore: ArrayLike<number>;
}

/** A block that breaks the layout rules; `field` names the offending column. */
export class CandidateBlockError extends Error {
  override readonly name = 'CandidateBlockError';
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

const zeros = (n: number) => new Uint32Array(n);

/** A decoded CandidateBlock as protobuf-es gives it, or with its numeric columns as typed arrays (ranking's own decoder). */
export type CandidateBlockColumns = Omit<CandidateBlock, '$typeName' | '$unknown' | NumericColumn> & Record<NumericColumn, ArrayLike<number>>;
type NumericColumn = 'authorIndex' | 'createdAtMs' | 'views' | 'likes' | 'shares' | 'hides' | 'sourceMask' | 'recallScore';

/**
 * Checks a decoded block's layout (column lengths, indexes in range) and returns it as columns.
 * Absent numeric columns read as zeros, so an older writer that lacks a column stays readable.
 */
export function candidateColumns(block: CandidateBlockColumns): CandidateColumns {
  const n = block.count;
  if (block.itemIds.length !== n * UUID_BYTES) {
    throw new CandidateBlockError('item_ids', `item_ids holds ${block.itemIds.length} bytes, expected ${n} × ${UUID_BYTES}`);
  }
  if (block.kinds.length !== n) throw new CandidateBlockError('kinds', `kinds holds ${block.kinds.length} bytes, expected ${n}`);
  if (block.sourceNames.length > MAX_BLOCK_SOURCES) {
    throw new CandidateBlockError('source_names', `at most ${MAX_BLOCK_SOURCES} source names, got ${block.sourceNames.length}`);
  }
  const column = (name: string, values: ArrayLike<number>): ArrayLike<number> => {
    if (values.length === 0) return zeros(n);
    if (values.length !== n) throw new CandidateBlockError(name, `${name} has ${values.length} entries, expected ${n}`);
    return values;
  };
  const authorIndex = column('author_index', block.authorIndex);
  for (let i = 0; i < n; i++) {
    if (authorIndex[i]! >= block.authors.length) {
      throw new CandidateBlockError('author_index', `author_index[${i}] = ${authorIndex[i]} is past the ${block.authors.length} authors`);
    }
  }
  return {
    count: n,
    ids: block.itemIds,
    kinds: block.kinds,
    authors: block.authors,
    authorIndex,
    createdAtMs: column('created_at_ms', block.createdAtMs),
    views: column('views', block.views),
    likes: column('likes', block.likes),
    shares: column('shares', block.shares),
    hides: column('hides', block.hides),
    sourceNames: block.sourceNames,
    sourceMask: column('source_mask', block.sourceMask),
    recallScore: column('recall_score', block.recallScore),
  };
}

export interface BlockCandidate {
  id: string;
  kind: number;
  authorId: string;
  createdAtMs: number;
  views?: number;
  likes?: number;
  shares?: number;
  hides?: number;
  sources: readonly string[];
  recallScore: number;
}

const U32_MAX = 0xffff_ffff;
const counter = (value: number | undefined) => (value === undefined || !(value > 0) ? 0 : value > U32_MAX ? U32_MAX : Math.floor(value));

/** Builds a CandidateBlock column by column; ids that are not UUIDs are refused by `add`. */
export class CandidateBlockBuilder {
  private ids: Uint8Array;
  private kinds: Uint8Array;
  private readonly authors: string[] = [];
  private readonly authorPositions = new Map<string, number>();
  private readonly sourceNames: string[] = [];
  private readonly sourcePositions = new Map<string, number>();
  private readonly columns = {
    authorIndex: [] as number[],
    createdAtMs: [] as number[],
    views: [] as number[],
    likes: [] as number[],
    shares: [] as number[],
    hides: [] as number[],
    sourceMask: [] as number[],
    recallScore: [] as number[],
  };
  private n = 0;

  /** `sourceNames`: the sources in the order a reader lists them (first use order otherwise). */
  constructor(capacity = 64, sourceNames: readonly string[] = []) {
    this.ids = new Uint8Array(Math.max(1, capacity) * UUID_BYTES);
    this.kinds = new Uint8Array(Math.max(1, capacity));
    for (const name of sourceNames) this.sourceBit(name);
  }

  get count(): number {
    return this.n;
  }

  /** Appends one candidate; false (and nothing added) when its id is not a UUID. */
  add(c: BlockCandidate): boolean {
    if (this.n * UUID_BYTES === this.ids.length) this.grow();
    if (!writeUuid(c.id, this.ids, this.n * UUID_BYTES)) return false;
    this.kinds[this.n] = c.kind;
    const cols = this.columns;
    cols.authorIndex.push(this.position(this.authors, this.authorPositions, c.authorId));
    cols.createdAtMs.push(c.createdAtMs);
    cols.views.push(counter(c.views));
    cols.likes.push(counter(c.likes));
    cols.shares.push(counter(c.shares));
    cols.hides.push(counter(c.hides));
    let mask = 0;
    for (const source of c.sources) mask |= 1 << this.sourceBit(source);
    cols.sourceMask.push(mask >>> 0);
    cols.recallScore.push(c.recallScore);
    this.n++;
    return true;
  }

  /** The block as a message init (for `create(CandidateBlockSchema, …)` or `toBinary`). */
  build() {
    return {
      count: this.n,
      itemIds: this.ids.subarray(0, this.n * UUID_BYTES),
      kinds: this.kinds.subarray(0, this.n),
      authors: this.authors,
      ...this.columns,
      sourceNames: this.sourceNames,
    };
  }

  private sourceBit(source: string): number {
    const known = this.sourcePositions.get(source);
    if (known !== undefined) return known;
    if (this.sourceNames.length === MAX_BLOCK_SOURCES) throw new CandidateBlockError('source_names', `more than ${MAX_BLOCK_SOURCES} sources`);
    return this.position(this.sourceNames, this.sourcePositions, source);
  }

  private position(list: string[], positions: Map<string, number>, value: string): number {
    let at = positions.get(value);
    if (at === undefined) {
      at = list.length;
      list.push(value);
      positions.set(value, at);
    }
    return at;
  }

  private grow(): void {
    const ids = new Uint8Array(this.ids.length * 2);
    ids.set(this.ids);
    this.ids = ids;
    const kinds = new Uint8Array(this.kinds.length * 2);
    kinds.set(this.kinds);
    this.kinds = kinds;
  }
}

/** v1 candidates (nested messages or plain objects) as a block: the v1 Rank path and tools. */
export function blockOfCandidates(candidates: readonly CandidateLike[]) {
  const builder = new CandidateBlockBuilder(candidates.length);
  for (const c of candidates) {
    const added = builder.add({
      id: c.item?.id ?? '',
      kind: c.item?.kind ?? 0,
      authorId: c.item?.authorId ?? '',
      createdAtMs: c.item ? toNumber(c.item.createdAtMs) : 0,
      views: c.stats ? toNumber(c.stats.views) : 0,
      likes: c.stats ? toNumber(c.stats.likes) : 0,
      shares: c.stats ? toNumber(c.stats.shares) : 0,
      hides: c.stats ? toNumber(c.stats.hides) : 0,
      sources: c.sources,
      recallScore: c.recallScore,
    });
    if (!added) throw new CandidateBlockError('item_ids', `candidate id ${JSON.stringify(c.item?.id ?? '')} is not a UUID`);
  }
  return builder.build();
}

/** The source names whose bits are set in `mask`. */
export function sourcesOfMask(mask: number, names: readonly string[]): string[] {
  const out: string[] = [];
  for (let b = 0; b < names.length; b++) if ((mask >>> b) & 1) out.push(names[b]!);
  return out;
}

/** One entry of a RankedBlock, as the aggregator reads it. */
export interface RankedEntry {
  id: string;
  kind: number;
  authorId: string;
  createdAtMs: number;
  score: number;
  sources: string[];
}

/** Checks a RankedBlock's layout and returns its entries, in order. */
export function rankedEntries(block: RankedBlock): RankedEntry[] {
  const n = block.count;
  if (block.itemIds.length !== n * UUID_BYTES) throw new CandidateBlockError('item_ids', `item_ids holds ${block.itemIds.length} bytes, expected ${n} × ${UUID_BYTES}`);
  if (block.kinds.length !== n) throw new CandidateBlockError('kinds', `kinds holds ${block.kinds.length} bytes, expected ${n}`);
  for (const [name, values] of [
    ['author_index', block.authorIndex],
    ['created_at_ms', block.createdAtMs],
    ['scores', block.scores],
    ['source_mask', block.sourceMask],
  ] as const) {
    if (values.length !== n) throw new CandidateBlockError(name, `${name} has ${values.length} entries, expected ${n}`);
  }
  const out = new Array<RankedEntry>(n);
  for (let i = 0; i < n; i++) {
    const author = block.authors[block.authorIndex[i]!];
    if (author === undefined) throw new CandidateBlockError('author_index', `author_index[${i}] is past the ${block.authors.length} authors`);
    out[i] = {
      id: readUuid(block.itemIds, i * UUID_BYTES),
      kind: block.kinds[i]!,
      authorId: author,
      createdAtMs: block.createdAtMs[i]!,
      score: block.scores[i]!,
      sources: sourcesOfMask(block.sourceMask[i]!, block.sourceNames),
    };
  }
  return out;
}

/** The picked candidates of `columns` (indexes in final order) with their scores, as a RankedBlock init. */
export function rankedBlockOf(columns: CandidateColumns, picked: ArrayLike<number>, scores: ArrayLike<number>) {
  const n = picked.length;
  const ids = new Uint8Array(n * UUID_BYTES);
  const kinds = new Uint8Array(n);
  const authors: string[] = [];
  const authorPositions = new Map<number, number>();
  const authorIndex = new Array<number>(n);
  const createdAtMs = new Array<number>(n);
  const out = new Array<number>(n);
  const sourceMask = new Array<number>(n);
  for (let k = 0; k < n; k++) {
    const i = picked[k]!;
    ids.set(columns.ids.subarray(i * UUID_BYTES, (i + 1) * UUID_BYTES), k * UUID_BYTES);
    kinds[k] = columns.kinds[i]!;
    const a = columns.authorIndex[i]!;
    let at = authorPositions.get(a);
    if (at === undefined) {
      at = authors.length;
      authors.push(columns.authors[a]!);
      authorPositions.set(a, at);
    }
    authorIndex[k] = at;
    createdAtMs[k] = columns.createdAtMs[i]!;
    out[k] = scores[i]!;
    sourceMask[k] = columns.sourceMask[i]!;
  }
  return { count: n, itemIds: ids, kinds, authors, authorIndex, createdAtMs, scores: out, sourceNames: [...columns.sourceNames], sourceMask };
}

const HEX = Array.from({ length: 256 }, (_, b) => b.toString(16).padStart(2, '0'));

/** The canonical lower-case UUID string of the 16 bytes at `offset`. */
export function readUuid(bytes: Uint8Array, offset: number): string {
  const h = (i: number) => HEX[bytes[offset + i]!]!;
  return (
    h(0) + h(1) + h(2) + h(3) + '-' + h(4) + h(5) + '-' + h(6) + h(7) + '-' + h(8) + h(9) + '-' +
    h(10) + h(11) + h(12) + h(13) + h(14) + h(15)
  );
}

/** Writes a UUID string (any case) as 16 bytes at `offset`; false when it is not a UUID. */
export function writeUuid(id: string, out: Uint8Array, offset: number): boolean {
  if (id.length !== 36 || id[8] !== '-' || id[13] !== '-' || id[18] !== '-' || id[23] !== '-') return false;
  let byte = 0;
  for (let i = 0; i < 36; i++) {
    if (i === 8 || i === 13 || i === 18 || i === 23) continue;
    const v = hexValue(id.charCodeAt(i));
    if (v < 0) return false;
    const next = hexValue(id.charCodeAt(i + 1));
    if (next < 0) return false;
    out[offset + byte++] = (v << 4) | next;
    i++;
  }
  return true;
}

function hexValue(code: number): number {
  if (code >= 48 && code <= 57) return code - 48;
  if (code >= 97 && code <= 102) return code - 87;
  if (code >= 65 && code <= 70) return code - 55;
  return -1;
}

/** Byte order of ids i and j of one packed id column (= canonical string order). */
export function compareIdsAt(ids: Uint8Array, i: number, j: number): number {
  const a = i * UUID_BYTES;
  const b = j * UUID_BYTES;
  for (let k = 0; k < UUID_BYTES; k++) {
    const d = ids[a + k]! - ids[b + k]!;
    if (d !== 0) return d < 0 ? -1 : 1;
  }
  return 0;
}
