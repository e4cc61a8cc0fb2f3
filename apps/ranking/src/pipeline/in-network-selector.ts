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
// A page is the head of the full ranking: it reads at most `ranked.length` (limit + lookahead)
// candidates of each queue, the same the whole block's queues give; when the prefix runs short of one class while
// the block has more, that class's queue is refilled by one more selection over the block.
// All zeros (share, outOfNetworkShare, freshMinutes) or a block without the source: not active,
// and rank-candidates runs diversity alone. Array code: one pass over the block's masks and times,
// one over the prefix, then diversity's O(limit · lookahead) greedy pass.
import { rankComparator, rankOrder, type CandidateColumns } from '@feedmesh/feed-core';
import type { DiversitySettings, InNetworkSettings } from '../model/ranking-model.js';

const MINUTE_MS = 60_000;
/** Keeps ⌈0.1·30⌉ at 3 although 0.1·30 is 3.0000000000000004 in floats. */
const EPSILON = 1e-9;

export interface InNetworkSelector {
  readonly name: 'in-network';
  /** False when the rule changes nothing (all zeros, or a block without the source): use diversity alone. */
  readonly active: boolean;
  /** `limit` candidate indexes from `ranked`, the best-first reachable prefix of the score order (limit + lookahead). */
  select(ranked: Int32Array, limit: number): Int32Array;
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

export function createInNetworkSelector({ columns, scores, settings, diversity, source, nowMs }: InNetworkInput): InNetworkSelector {
  const bitIndex = columns.sourceNames.indexOf(source);
  const active = inNetworkActive(settings) && bitIndex >= 0 && bitIndex <= 31 && columns.count > 0;
  return {
    name: 'in-network',
    active,
    select(ranked, limit) {
      if (!active) throw new Error('in-network selector: not active for this block (use diversity alone)');
      const bit = 1 << bitIndex; // compared with `& bit) !== 0`: bit 31 is negative, still non-zero
      const masks = columns.sourceMask;
      const created = columns.createdAtMs;
      const kinds = columns.kinds;
      const compare = rankComparator(scores, created, columns.ids);
      const freshFrom = settings.freshMinutes > 0 ? nowMs - settings.freshMinutes * MINUTE_MS : Infinity;
      const n = columns.count;
      const need = ranked.length;

      // Fresh in-network candidates of the whole block; how many in-network candidates it holds.
      let freshCount = 0;
      let inTotal = 0;
      for (let i = 0; i < n; i++) {
        if ((masks[i]! & bit) === 0) continue;
        inTotal++;
        if (created[i]! >= freshFrom) freshCount++;
      }
      const fresh = new Int32Array(freshCount);
      if (freshCount > 0) {
        for (let i = 0, j = 0; i < n; i++) if ((masks[i]! & bit) !== 0 && created[i]! >= freshFrom) fresh[j++] = i;
        fresh.sort((a, b) => {
          const ta = created[a]!;
          const tb = created[b]!;
          return ta !== tb ? (ta < tb ? 1 : -1) : compare(a, b);
        });
      }

      /**
       * One class's best `need` candidates of the whole block in score order (not fresh ones),
       * for a queue the prefix ran short of: a page then gets exactly the head of the full
       * ranking. Rare (a prefix lopsided to one class); one more selection over the block.
       */
      const classOrder = (inNetwork: boolean): Int32Array => {
        const masked = new Float64Array(n).fill(Number.NEGATIVE_INFINITY);
        let count = 0;
        for (let i = 0; i < n; i++) {
          if (((masks[i]! & bit) !== 0) !== inNetwork || (inNetwork && created[i]! >= freshFrom)) continue;
          masked[i] = scores[i]!;
          count++;
        }
        return rankOrder(masked, created, columns.ids, Math.min(need, count));
      };

      // The prefix split by class (fresh ones are queued already). Restricted to one class, the
      // prefix of the score order is a prefix of that class's own order.
      const inItems = new Int32Array(freshCount + need);
      inItems.set(fresh);
      let inLength = freshCount;
      const outItems = new Int32Array(need);
      let outLength = 0;
      for (let p = 0; p < need; p++) {
        const i = ranked[p]!;
        if ((masks[i]! & bit) === 0) outItems[outLength++] = i;
        else if (!(created[i]! >= freshFrom)) inItems[inLength++] = i;
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

      // Authors compared by name (two dictionary entries with one name are one author).
      const authorOfEntry = new Int32Array(columns.authors.length).fill(-1);
      const authorIds = new Map<string, number>();
      const authorOf = (i: number): number => {
        const entry = columns.authorIndex[i]!;
        let id = authorOfEntry[entry]!;
        if (id < 0) {
          const name = columns.authors[entry]!;
          id = authorIds.get(name) ?? authorIds.size;
          authorIds.set(name, id);
          authorOfEntry[entry] = id;
        }
        return id;
      };

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
