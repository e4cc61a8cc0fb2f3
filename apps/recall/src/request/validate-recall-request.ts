import type { RecallRequest } from '@feedmesh/contracts';
import { invalidArgument, quoted } from '@feedmesh/service-kit';
import { DEFAULT_RECALL_LIMIT } from '@feedmesh/storage';

export const DEFAULT_LIMIT = DEFAULT_RECALL_LIMIT;
export const MAX_LIMIT = 5_000;
export const MAX_EXCLUDE_IDS = 10_000;
const MAX_USER_ID_LENGTH = 128;

export interface ValidRecallRequest {
  userId: string;
  limit: number;
  exclude: ReadonlySet<string>;
  /** Requested source names without duplicates, in the service's order; all when none asked. */
  sources: string[];
  /** Only items created at or before this instant; undefined when unbounded. */
  createdBeforeMs: number | undefined;
}

/** Throws InvalidArgument naming the offending field. */
export function validateRecallRequest(
  req: Pick<RecallRequest, 'userId' | 'limit' | 'excludeIds' | 'sources' | 'createdBeforeMs'>,
  knownSources: readonly string[],
): ValidRecallRequest {
  if (req.userId.length === 0) throw invalidArgument('user_id', 'is required');
  if (req.userId.length > MAX_USER_ID_LENGTH) throw invalidArgument('user_id', `must be at most ${MAX_USER_ID_LENGTH} characters`);
  // Braces would change the Redis hash tag, `|` the timeline member format.
  if (/[{}|\s]/.test(req.userId)) throw invalidArgument('user_id', 'must not contain braces, "|" or whitespace');
  if (req.limit > MAX_LIMIT) throw invalidArgument('limit', `must be within 0..${MAX_LIMIT} (0 means ${DEFAULT_LIMIT})`);
  if (req.excludeIds.length > MAX_EXCLUDE_IDS) throw invalidArgument('exclude_ids', `at most ${MAX_EXCLUDE_IDS} ids`);
  const createdBeforeMs = Number(req.createdBeforeMs);
  if (!Number.isSafeInteger(createdBeforeMs) || createdBeforeMs < 0) throw invalidArgument('created_before_ms', 'must be a Unix time in ms, or 0 for no bound');
  req.sources.forEach((name, i) => {
    if (!knownSources.includes(name)) {
      throw invalidArgument(`sources[${i}]`, `unknown source ${quoted(name)}; known: ${knownSources.join(', ')}`);
    }
  });
  return {
    userId: req.userId,
    limit: req.limit === 0 ? DEFAULT_LIMIT : req.limit,
    exclude: new Set(req.excludeIds),
    sources: req.sources.length === 0 ? [...knownSources] : knownSources.filter((s) => req.sources.includes(s)),
    createdBeforeMs: createdBeforeMs === 0 ? undefined : createdBeforeMs,
  };
}
