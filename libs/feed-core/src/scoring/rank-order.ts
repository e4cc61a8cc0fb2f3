// The ranking order as array code: score desc, then created_at desc, then id asc (packed UUID
// bytes, whose order is the canonical string order), then candidate index — a total order, so
// the result does not depend on the sort algorithm. Only the best `top` are ordered:
//   - a page (top ≪ n): a k-sized min-heap of scores finds the top-th best score T in one pass,
//     the candidates scoring ≥ T (top of them, plus ties at T) are sorted with the comparator;
//   - everything (top close to n): an LSD radix sort on the score bits (stable, so equal scores
//     stay in index order), then each run of equal scores is sorted with the comparator.
// Both give exactly the prefix of the comparator's full sort.
import { compareIdsAt } from '../candidate-block.js';

/** Below this share of n, `top` is found by selection instead of a full sort. */
const SELECT_BELOW = 0.25;

/**
 * The comparator of the ranking order, over candidate indexes. It returns small integers only: a
 * fractional difference returned to a typed-array sort is boxed as a heap number on every call
 * (~25 MB of garbage for 100k candidates).
 */
export function rankComparator(scores: Float64Array, createdAtMs: ArrayLike<number>, ids: Uint8Array): (a: number, b: number) => number {
  return (a, b) => {
    const sa = scores[a]!;
    const sb = scores[b]!;
    if (sa !== sb) return sa < sb ? 1 : -1;
    const ta = createdAtMs[a]!;
    const tb = createdAtMs[b]!;
    if (ta !== tb) return ta < tb ? 1 : -1;
    return compareIdsAt(ids, a, b) || a - b;
  };
}

/** The best `top` candidate indexes (all by default), best first. */
export function rankOrder(scores: Float64Array, createdAtMs: ArrayLike<number>, ids: Uint8Array, top = scores.length): Int32Array {
  const n = scores.length;
  const k = Math.max(0, Math.min(n, Math.floor(top)));
  if (k === 0) return new Int32Array(0);
  const compare = rankComparator(scores, createdAtMs, ids);
  return k < n * SELECT_BELOW ? selectTop(scores, k, compare) : sortAll(scores, compare).subarray(0, k);
}

function selectTop(scores: Float64Array, k: number, compare: (a: number, b: number) => number): Int32Array {
  const n = scores.length;
  // Min-heap of the k best scores seen so far: its root ends as the k-th best score.
  const heap = new Float64Array(k);
  for (let i = 0; i < k; i++) heap[i] = scores[i]!;
  for (let i = (k >> 1) - 1; i >= 0; i--) siftDown(heap, i, k);
  for (let i = k; i < n; i++) {
    const s = scores[i]!;
    if (s > heap[0]!) {
      heap[0] = s;
      siftDown(heap, 0, k);
    }
  }
  const threshold = heap[0]!;
  let m = 0;
  for (let i = 0; i < n; i++) if (scores[i]! >= threshold) m++;
  const picked = new Int32Array(m);
  for (let i = 0, j = 0; i < n; i++) if (scores[i]! >= threshold) picked[j++] = i;
  return picked.sort(compare).subarray(0, k);
}

function siftDown(heap: Float64Array, at: number, size: number): void {
  const value = heap[at]!;
  let i = at;
  for (;;) {
    let child = 2 * i + 1;
    if (child >= size) break;
    if (child + 1 < size && heap[child + 1]! < heap[child]!) child++;
    if (heap[child]! >= value) break;
    heap[i] = heap[child]!;
    i = child;
  }
  heap[i] = value;
}

const DIGIT_BITS = 16;
const BUCKETS = 1 << DIGIT_BITS;

function sortAll(scores: Float64Array, compare: (a: number, b: number) => number): Int32Array {
  const n = scores.length;
  // Sort keys: the IEEE bits mapped so that unsigned order is descending score order.
  const bits = new Uint32Array(scores.buffer, scores.byteOffset, 2 * n);
  const hi = new Uint32Array(n);
  const lo = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    const h = bits[2 * i + 1]!;
    const l = bits[2 * i]!;
    // Ascending key: negative → all bits flipped, positive → sign bit set. Descending: negated.
    if (h >>> 31) {
      hi[i] = h;
      lo[i] = l;
    } else {
      hi[i] = ~(h | 0x8000_0000) >>> 0;
      lo[i] = ~l >>> 0;
    }
  }
  let order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  let spare = new Int32Array(n);
  const counts = new Int32Array(BUCKETS);
  for (const [keys, shift] of [
    [lo, 0],
    [lo, DIGIT_BITS],
    [hi, 0],
    [hi, DIGIT_BITS],
  ] as const) {
    counts.fill(0);
    for (let p = 0; p < n; p++) counts[(keys[order[p]!]! >>> shift) & (BUCKETS - 1)]++;
    if (counts[(keys[order[0]!]! >>> shift) & (BUCKETS - 1)] === n) continue; // one digit: nothing moves
    for (let b = 0, sum = 0; b < BUCKETS; b++) {
      const c = counts[b]!;
      counts[b] = sum;
      sum += c;
    }
    for (let p = 0; p < n; p++) {
      const i = order[p]!;
      spare[counts[(keys[i]! >>> shift) & (BUCKETS - 1)]++] = i;
    }
    [order, spare] = [spare, order];
  }
  // Equal scores are adjacent (and in index order): order each run by the full comparator.
  for (let p = 0; p < n; ) {
    const s = scores[order[p]!]!;
    let q = p + 1;
    while (q < n && scores[order[q]!] === s) q++;
    if (q - p > 1) order.subarray(p, q).sort(compare);
    p = q;
  }
  return order;
}
