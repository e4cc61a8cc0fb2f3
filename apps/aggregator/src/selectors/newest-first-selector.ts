import { cardKindFromItemKind, type CandidateColumns } from '@feedmesh/feed-core';
import { compareIdsAt, readUuid, sourcesOfMask, UUID_BYTES } from '@feedmesh/feed-core';
import type { SkeletonEntry } from '../pipeline/skeleton-entry.js';

/**
 * Most recent first (ties by id): the order of the following feed, and the for-you feed's
 * degraded order when ranking is down or late — what a follower expects from an unranked feed,
 * and stable across pages of a session. Score 0: nothing ranked these.
 */
export const newestFirstSelector = {
  identifier: 'newest-first',
  select(columns: CandidateColumns, limit: number): SkeletonEntry[] {
    const order = Array.from({ length: columns.count }, (_, i) => i);
    order.sort((a, b) => {
      const ta = columns.createdAtMs[a]!;
      const tb = columns.createdAtMs[b]!;
      return ta !== tb ? (ta < tb ? 1 : -1) : compareIdsAt(columns.ids, a, b);
    });
    const out: SkeletonEntry[] = [];
    for (const i of order) {
      if (out.length === limit) break;
      const kind = cardKindFromItemKind(columns.kinds[i]!);
      if (kind === undefined) continue;
      out.push({
        id: readUuid(columns.ids, i * UUID_BYTES),
        kind,
        authorId: columns.authors[columns.authorIndex[i]!]!,
        createdAtMs: columns.createdAtMs[i]!,
        score: 0,
        sources: sourcesOfMask(columns.sourceMask[i]!, columns.sourceNames),
      });
    }
    return out;
  },
};
