// Selector "in-network": the rule that puts what the viewer's follows just posted at the top, and
// mixes in-network and out-of-network candidates by ratio (as Twitter's home mixer does), with
// the diversity rules applied in the same greedy pass (so the run limits cannot undo the ratio).
// A candidate is in-network when its recall sources include the model's `inNetworkSource`
// ("following": the viewer follows the author, pushed or pulled alike).
//
//   1. Two queues. In-network: first the *fresh* in-network candidates of the whole block (at most
//      `inNetwork.freshMinutes` old, newest first, ties in score order) — the whole block, not only
//      the reachable score prefix, since a post nobody engaged with yet scores below older ones —
//      then the other in-network candidates in score order. Out-of-network: the others, in score
//      order.
//   2. Slot by slot, with i in-network and o other picks so far (k = i + o): the slot is
//      in-network if i < ⌈share·(k+1)⌉, else out-of-network if o < ⌊outOfNetworkShare·(k+1)⌋,
//      else free. A slot of one class takes that queue's first candidate (within
//      `diversity.lookahead` of its head) that keeps every run within `maxSameKindRun` /
//      `maxSameAuthorRun`, or its head when none does; a free slot takes the better (ranking
//      order: score, newest, id) of the two queues' first fitting candidates.
//   So every prefix of k picks holds at least ⌈share·k⌉ in-network and ⌊outOfNetworkShare·k⌋
//   other candidates while that queue has any left (share + outOfNetworkShare ≤ 1 keeps both
//   satisfiable); with share > 0 position 0 is the newest fresh in-network candidate (or, with none
//   fresh, the best-scored in-network one); a run limit is broken only when no candidate of the
//   slot's queue within the lookahead fits (as diversity alone: nothing is dropped).
// A page is the head of the full ranking: a slot reads at most limit + lookahead candidates of
// each queue, and each queue holds its class's best that many. For a page (limit + lookahead
// under a quarter of the block) the selector keeps them itself: two heaps of indexes in its one
// pass over the block (the fresh scan), and scoring orders no global prefix. For larger limits it
// splits the global prefix (restricted to a class, a prefix of the score order is a prefix of that
// class's order) and refills a class that prefix ran short of with one more pass.
// All zeros (share, outOfNetworkShare, freshMinutes) or a block without the source: not active,
// and rank-candidates runs diversity alone. Array code: one pass over the block's masks and times,
// one over the prefix, then diversity's O(limit · lookahead) greedy pass.
import { authorIdsOf, rankComparator, type CandidateColumns } from '@feedmesh/feed-core';
import type { DiversitySettings, InNetworkSettings } from '../model/ranking-model.js';

const MINUTE_MS = 60_000;
/** Keeps ⌈0.1·30⌉ at 3 although 0.1·30 is 3.0000000000000004 in floats. */
const EPSILON = 1e-9;

export interface InNetworkSelector {
  readonly name: 'in-network';
  /** False when the rule changes nothing (all zeros, or a block without the source): use diversity alone. */
  readonly active: boolean;
  /**
   * `limit` candidate indexes. `ranked`: the best-first reachable prefix of the score order
   * (`reach` = limit + lookahead, capped by the count), or empty: then the selector finds each
   * class's best `reach` itself in one pass over the block (cheaper than ordering a prefix that
   * one class may dominate and then refilling the other).
   */
  select(ranked: Int32Array, limit: number, reach?: number): Int32Array;
}

export interface InNetworkInput {
  columns: CandidateColumns;
  scores: Float64Array;
  settings: InNetworkSettings;
  diversity: DiversitySettings;
  /** The recall source that means "the viewer follows the author". */
  source: string;
  nowMs: number;
}

/** Whether the settings change any order (all zeros: the selector is skipped). */
export const inNetworkActive = (s: InNetworkSettings): boolean => s.share > 0 || s.outOfNetworkShare > 0 || s.freshMinutes > 0;

interface Queue {
  items: Int32Array;
  length: number;
  /** Position of the first candidate not yet picked. */
  head: number;
  /** The block holds more of this class than `items` (refilled when a scan reaches the end). */
  missing: boolean;
  refill(): void;
}

/** Whether the rule changes anything for this block (it has the source, the settings are not all zeros). */
export function inNetworkActiveFor(columns: CandidateColumns, settings: InNetworkSettings, source: string): boolean {
  const bitIndex = columns.sourceNames.indexOf(source);
  return inNetworkActive(settings) && bitIndex >= 0 && bitIndex <= 31 && columns.count > 0;
}

export function createInNetworkSelector({ columns, scores, settings, diversity, source, nowMs }: InNetworkInput): InNetworkSelector {
  const bitIndex = columns.sourceNames.indexOf(source);
  const active = inNetworkActiveFor(columns, settings, source);
  return {
    name: 'in-network',
    active,
    select(ranked, limit, reach = ranked.length) {
      if (!active) throw new Error('in-network selector: not active for this block (use diversity alone)');
      const bit = 1 << bitIndex; // compared with `& bit) !== 0`: bit 31 is negative, still non-zero
      const masks = columns.sourceMask;
      const created = columns.createdAtMs;
      const kinds = columns.kinds;
      const compare = rankComparator(scores, created, columns.ids);
      const freshFrom = settings.freshMinutes > 0 ? nowMs - settings.freshMinutes * MINUTE_MS : Infinity;
      const n = columns.count;
      const need = Math.min(n, Math.max(reach, ranked.length));

      // Fresh in-network candidates of the whole block; how many in-network candidates it holds.
      // Without a whole prefix, the same pass keeps each class's best `need` (heaps of indexes
      // by the ranking order, worst at the root: a candidate below the root's score is rejected
      // with one comparison).
      const ownOrder = ranked.length < need;
      const freshList: number[] = [];
      let inTotal = 0;
      const inHeap = new Int32Array(ownOrder ? need : 0);
      const outHeap = new Int32Array(ownOrder ? need : 0);
      let inSize = 0;
      let outSize = 0;
      for (let i = 0; i < n; i++) {
        if ((masks[i]! & bit) !== 0) {
          inTotal++;
          if (created[i]! >= freshFrom) freshList.push(i);
          else if (ownOrder) inSize = offer(inHeap, inSize, need, i, scores, compare);
        } else if (ownOrder) outSize = offer(outHeap, outSize, need, i, scores, compare);
      }
      const freshCount = freshList.length;
      const fresh = Int32Array.from(freshList);
      if (freshCount > 1) {
        fresh.sort((a, b) => {
          const ta = created[a]!;
          const tb = created[b]!;
          return ta !== tb ? (ta < tb ? 1 : -1) : compare(a, b);
        });
      }

      /**
       * One class's best `need` candidates of the whole block in score order (not fresh ones),
       * for a queue the prefix ran short of: a page then gets exactly the head of the full
       * ranking. At most once per class and request: a k-sized min-heap pass over the block,
       * then the few at or above its threshold sorted.
       */
      const classOrder = (inNetwork: boolean): Int32Array => {
        const member = (i: number) => ((masks[i]! & bit) !== 0) === inNetwork && !(inNetwork && created[i]! >= freshFrom);
        // A min-heap of the `need` best scores of the class: its root ends as the threshold.
        const heap = new Float64Array(need);
        let size = 0;
        for (let i = 0; i < n; i++) {
          if (!member(i)) continue;
          const s = scores[i]!;
          if (size < need) {
            heap[size++] = s;
            if (size === need) for (let h = (need >> 1) - 1; h >= 0; h--) siftDown(heap, h, need);
          } else if (s > heap[0]!) {
            heap[0] = s;
            siftDown(heap, 0, need);
          }
        }
        const threshold = size < need ? Number.NEGATIVE_INFINITY : heap[0]!;
        let count = 0;
        for (let i = 0; i < n; i++) if (member(i) && scores[i]! >= threshold) count++;
        const order = new Int32Array(count);
        for (let i = 0, j = 0; i < n; i++) if (member(i) && scores[i]! >= threshold) order[j++] = i;
        return order.sort(compare).subarray(0, Math.min(need, count));
      };

      // The queues: each class's best `need`, fresh ones queued already. From the prefix when it
      // is given whole (restricted to one class, the prefix of the score order is a prefix of
      // that class's own order), else from one pass over the block.
      let inItems: Int32Array;
      let inLength: number;
      let outItems: Int32Array;
      let outLength: number;
      if (!ownOrder) {
        inItems = new Int32Array(freshCount + need);
        inItems.set(fresh);
        inLength = freshCount;
        outItems = new Int32Array(need);
        outLength = 0;
        for (let p = 0; p < need; p++) {
          const i = ranked[p]!;
          if ((masks[i]! & bit) === 0) outItems[outLength++] = i;
          else if (!(created[i]! >= freshFrom)) inItems[inLength++] = i;
        }
      } else {
        const inTop = inHeap.subarray(0, inSize).sort(compare);
        const outTop = outHeap.subarray(0, outSize).sort(compare);
        inItems = new Int32Array(freshCount + inTop.length);
        inItems.set(fresh);
        inItems.set(inTop, freshCount);
        inLength = inItems.length;
        outItems = outTop;
        outLength = outTop.length;
      }
      const inQueue: Queue = {
        items: inItems,
        length: inLength,
        head: 0,
        missing: inTotal > inLength && inLength - freshCount < need,
        refill() {
          const rest = classOrder(true);
          const items = new Int32Array(freshCount + rest.length);
          items.set(fresh);
          items.set(rest, freshCount);
          this.items = items;
          this.length = items.length;
          this.missing = false;
        },
      };
      const outQueue: Queue = {
        items: outItems,
        length: outLength,
        head: 0,
        missing: n - inTotal > outLength && outLength < need,
        refill() {
          this.items = classOrder(false);
          this.length = this.items.length;
          this.missing = false;
        },
      };

      const authorOf = authorIdsOf(columns);

      const picked = new Uint8Array(n);
      const { maxSameKindRun, maxSameAuthorRun, lookahead } = diversity;
      let lastKind = -1;
      let lastAuthor = -1;
      let kindRun = 0;
      let authorRun = 0;

      /** Moves the head past picked candidates; false when the queue (refilled if need be) is empty. */
      const settle = (q: Queue): boolean => {
        for (;;) {
          while (q.head < q.length && picked[q.items[q.head]!] === 1) q.head++;
          if (q.head < q.length) return true;
          if (!q.missing) return false;
          q.refill();
        }
      };
      /** The first candidate of a settled queue, within the lookahead, that keeps the runs; -1 if none. */
      const firstFitting = (q: Queue): number => {
        const kindBlocked = kindRun >= maxSameKindRun;
        const authorBlocked = authorRun >= maxSameAuthorRun;
        if (!kindBlocked && !authorBlocked) return q.items[q.head]!;
        for (let p = q.head, seen = 0; seen < lookahead; p++) {
          if (p >= q.length) {
            if (!q.missing) break;
            q.refill();
            if (p >= q.length) break;
          }
          const i = q.items[p]!;
          if (picked[i] === 1) continue;
          seen++;
          if (!(kindBlocked && kinds[i] === lastKind) && !(authorBlocked && authorOf(i) === lastAuthor)) return i;
        }
        return -1;
      };

      const { share, outOfNetworkShare } = settings;
      const out = new Int32Array(limit);
      let a = 0; // in-network picks
      let b = 0; // out-of-network picks
      let k = 0;
      for (; k < limit; k++) {
        const hasIn = settle(inQueue);
        const hasOut = settle(outQueue);
        if (!hasIn && !hasOut) break;
        let takeIn: boolean;
        if (hasIn && (!hasOut || a < Math.ceil(share * (k + 1) - EPSILON))) takeIn = true;
        else if (hasOut && (!hasIn || b < Math.floor(outOfNetworkShare * (k + 1) + EPSILON))) takeIn = false;
        else {
          const fitIn = firstFitting(inQueue);
          const fitOut = firstFitting(outQueue);
          if (fitIn >= 0 && fitOut >= 0) takeIn = compare(fitIn, fitOut) <= 0;
          else if (fitIn >= 0 || fitOut >= 0) takeIn = fitIn >= 0;
          else takeIn = compare(inQueue.items[inQueue.head]!, outQueue.items[outQueue.head]!) <= 0;
        }
        const q = takeIn ? inQueue : outQueue;
        const fit = firstFitting(q);
        const pick = fit >= 0 ? fit : q.items[q.head]!;
        if (takeIn) a++;
        else b++;
        picked[pick] = 1;
        const kind = kinds[pick]!;
        const author = authorOf(pick);
        kindRun = kind === lastKind ? kindRun + 1 : 1;
        authorRun = author === lastAuthor ? authorRun + 1 : 1;
        lastKind = kind;
        lastAuthor = author;
        out[k] = pick;
      }
      return k === limit ? out : out.subarray(0, k);
    },
  };
}

function siftDown(heap: Float64Array, i: number, size: number): void {
  for (;;) {
    const l = 2 * i + 1;
    if (l >= size) return;
    const r = l + 1;
    const m = r < size && heap[r]! < heap[l]! ? r : l;
    if (!(heap[m]! < heap[i]!)) return;
    const t = heap[i]!;
    heap[i] = heap[m]!;
    heap[m] = t;
    i = m;
  }
}

/**
 * Offers candidate i to a heap of at most `need` candidate indexes, worst (by the ranking order)
 * at the root; returns the new size.
 */
function offer(heap: Int32Array, size: number, need: number, i: number, scores: Float64Array, compare: (a: number, b: number) => number): number {
  if (size < need) {
    // Sift up: the worst moves toward the root.
    let c = size;
    while (c > 0) {
      const parent = (c - 1) >> 1;
      if (compare(heap[parent]!, i) >= 0) break;
      heap[c] = heap[parent]!;
      c = parent;
    }
    heap[c] = i;
    return size + 1;
  }
  const root = heap[0]!;
  if (scores[i]! < scores[root]! || compare(i, root) >= 0) return size;
  // Sift down from the root: the worse child moves up.
  let c = 0;
  for (;;) {
    const l = 2 * c + 1;
    if (l >= size) break;
    const r = l + 1;
    const w = r < size && compare(heap[r]!, heap[l]!) > 0 ? r : l;
    if (compare(heap[w]!, i) <= 0) break;
    heap[c] = heap[w]!;
    c = w;
  }
  heap[c] = i;
  return size;
}
