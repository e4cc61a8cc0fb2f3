// Field checks of a Rank request that the kit's generic edge checks cannot know.
import type { RankRequest } from '@feedmesh/contracts';
import { invalidArgument } from '@feedmesh/service-kit';

/** The contract's ceiling (ranking.proto: "up to 100,000"). */
export const MAX_CANDIDATES = 100_000;

export function validateRankRequest(req: RankRequest): void {
  if (req.userId.trim() === '') throw invalidArgument('user_id', 'is required');
  if (req.candidates.length > MAX_CANDIDATES) {
    throw invalidArgument('candidates', `has ${req.candidates.length} entries; at most ${MAX_CANDIDATES} are accepted`);
  }
  if (req.nowMs < 0n) throw invalidArgument('now_ms', 'must be >= 0 (0 means now)');
  const candidates = req.candidates;
  for (let i = 0; i < candidates.length; i++) {
    const id = candidates[i]!.item?.id;
    if (id === undefined || id === '') throw invalidArgument(`candidates[${i}].item.id`, 'is required');
  }
}
