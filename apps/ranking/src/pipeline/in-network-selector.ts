// Selector "in-network": the rule that puts what the viewer's follows just posted at the top, and
// mixes in-network and out-of-network candidates by ratio (as Twitter's home mixer does), before
// diversity. A candidate is in-network when its recall sources include the model's
// `inNetworkSource` ("following": the viewer follows the author, pushed or pulled alike).
//
//   1. Two queues. In-network: first the *fresh* in-network candidates of the whole block (at most
//      `inNetwork.freshMinutes` old, newest first, ties in score order) — the whole block, not only
//      the reachable score prefix, since a post nobody engaged with yet scores below older ones —
//      then the other in-network candidates of the reachable prefix in score order.
//      Out-of-network: the prefix's other candidates, in score order.
//   2. A position-wise merge. With i in-network and o other picks so far (k = i + o), the next pick
//      is in-network if i < ⌈share·(k+1)⌉, else out-of-network if o < ⌊outOfNetworkShare·(k+1)⌋,
//      else the better of the two heads by the ranking order (score, newest, id). So every prefix
//      of length k holds at least ⌈share·k⌉ in-network and ⌊outOfNetworkShare·k⌋ other candidates
//      while the queue in question has any left (share + outOfNetworkShare ≤ 1 keeps both
//      satisfiable). With share > 0, position 0 is the newest fresh in-network candidate (or, with
//      none fresh, the best-scored in-network one).
//   3. Diversity runs over the merged order; its greedy pass never moves position 0 and moves
//      another pick only when a run limit blocks it (at most `lookahead` places), so the quota is
//      exact before diversity and holds within those moves after.
// A page is the head of the full ranking: its first `ranked.length` positions (all diversity can
// reach) are those the whole block's queues give; when the prefix runs short of one class while
// the block has more, that class's queue is refilled by one more selection over the block.
// All zeros (share, outOfNetworkShare, freshMinutes) or a block without the source: the order is
// returned as it is. Array code: one pass over the block's masks and times, one over the prefix.
import { rankComparator, rankOrder, type CandidateColumns } from '@feedmesh/feed-core';
import type { InNetworkSettings } from '../model/ranking-model.js';

const MINUTE_MS = 60_000;
/** Keeps ⌈0.1·30⌉ at 3 although 0.1·30 is 3.0000000000000004 in floats. */
const EPSILON = 1e-9;

export interface InNetworkSelector {
  readonly name: 'in-network';
  /**
   * `ranked`: the reachable prefix of the score order, best first. Returns it re-ordered by the
   * rule, with fresh in-network candidates from outside it (and, when the prefix ran short of a
   * class, that class's next best) added: possibly longer, never a candidate twice.
   */
  select(ranked: Int32Array): Int32Array;
}

export interface InNetworkInput {
  columns: CandidateColumns;
  scores: Float64Array;
  settings: InNetworkSettings;
  /** The recall source that means "the viewer follows the author". */
  source: string;
  nowMs: number;
}

/** Whether the settings change any order (all zeros: the selector is skipped). */
export const inNetworkActive = (s: InNetworkSettings): boolean => s.share > 0 || s.outOfNetworkShare > 0 || s.freshMinutes > 0;

export function createInNetworkSelector({ columns, scores, settings, source, nowMs }: InNetworkInput): InNetworkSelector {
  return {
    name: 'in-network',
    select(ranked) {
      const bitIndex = columns.sourceNames.indexOf(source);
      if (!inNetworkActive(settings) || bitIndex < 0 || bitIndex > 31 || ranked.length === 0) return ranked;
      const bit = 1 << bitIndex; // compared with `& bit) !== 0`: bit 31 is negative, still non-zero
      const masks = columns.sourceMask;
      const created = columns.createdAtMs;
      const compare = rankComparator(scores, created, columns.ids);
      const freshFrom = settings.freshMinutes > 0 ? nowMs - settings.freshMinutes * MINUTE_MS : Infinity;

      // Fresh in-network candidates of the whole block; how many in-network candidates it holds.
      let freshCount = 0;
      let inTotal = 0;
      const n = columns.count;
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

      // The prefix's others, split by source; fresh ones are already queued. Restricted to one
      // class, the prefix of the score order is a prefix of that class's own order.
      let inQueue: Int32Array = new Int32Array(freshCount + ranked.length);
      inQueue.set(fresh);
      let inLength = freshCount;
      let outQueue: Int32Array = new Int32Array(ranked.length);
      let outLength = 0;
      for (let p = 0; p < ranked.length; p++) {
        const i = ranked[p]!;
        if ((masks[i]! & bit) === 0) outQueue[outLength++] = i;
        else if (!(created[i]! >= freshFrom)) inQueue[inLength++] = i;
      }
      let inMissing = inTotal > inLength && inLength - freshCount < ranked.length;
      let outMissing = n - inTotal > outLength && outLength < ranked.length;

      /**
       * One class's best `need` candidates of the whole block in score order (not fresh ones),
       * for a queue the prefix ran short of: a page then gets exactly the head of the full
       * ranking. Rare (a prefix lopsided to one class); one more selection over the block.
       */
      const classOrder = (inNetwork: boolean, need: number): Int32Array => {
        const masked = new Float64Array(n).fill(Number.NEGATIVE_INFINITY);
        let count = 0;
        for (let i = 0; i < n; i++) {
          if (((masks[i]! & bit) !== 0) !== inNetwork || (inNetwork && created[i]! >= freshFrom)) continue;
          masked[i] = scores[i]!;
          count++;
        }
        return rankOrder(masked, created, columns.ids, Math.min(need, count));
      };

      // The merge. The first `ranked.length` positions (all diversity can reach) are exactly
      // those of the whole block's queues: a queue that runs out there while its class has more
      // is refilled from the block first.
      const { share, outOfNetworkShare } = settings;
      const need = ranked.length;
      let a = 0; // in-network picks (head of inQueue)
      let b = 0; // out-of-network picks
      let out = new Int32Array(inLength + outLength);
      for (let k = 0; ; k++) {
        if (a === inLength && inMissing && k < need) {
          const rest = classOrder(true, need);
          const grown = new Int32Array(freshCount + rest.length);
          grown.set(fresh);
          grown.set(rest, freshCount);
          inQueue = grown;
          inLength = grown.length;
          inMissing = false;
        }
        if (b === outLength && outMissing && k < need) {
          outQueue = classOrder(false, need);
          outLength = outQueue.length;
          outMissing = false;
        }
        const total = inLength + outLength;
        if (k >= total) break;
        if (out.length < total) {
          const grown = new Int32Array(total);
          grown.set(out.subarray(0, k));
          out = grown;
        }
        let takeIn: boolean;
        if (a === inLength) takeIn = false;
        else if (b === outLength) takeIn = true;
        else if (a < Math.ceil(share * (k + 1) - EPSILON)) takeIn = true;
        else if (b < Math.floor(outOfNetworkShare * (k + 1) + EPSILON)) takeIn = false;
        else takeIn = compare(inQueue[a]!, outQueue[b]!) <= 0;
        out[k] = takeIn ? inQueue[a++]! : outQueue[b++]!;
      }
      return out;
    },
  };
}
