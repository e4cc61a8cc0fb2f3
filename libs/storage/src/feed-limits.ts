/**
 * Sizes shared by the write path (fan-out, trimming) and the read path (recall), from the shared
 * data settings (`sharedDataEnvSpec` documents each; read once when storage loads).
 */
import { sharedDataSettings as settings } from './storage-env.js';

export const TIMELINE_MAX_LENGTH = settings.TIMELINE_MAX_LENGTH;
export const AUTHOR_RECENT_MAX = settings.AUTHOR_RECENT_MAX;
/** Authors with more followers are pulled at read time instead of fanned out on write. */
export const FANOUT_PULL_THRESHOLD = settings.FANOUT_PULL_THRESHOLD;
export const TRENDING_MAX_LENGTH = settings.TRENDING_MAX_LENGTH;
export const TOPIC_RECENT_MAX = settings.TOPIC_RECENT_MAX;
export const TRENDING_HALF_LIFE_MS = settings.TRENDING_HALF_LIFE_MS;
export const PUBLISH_CLAIM_TTL_S = settings.PUBLISH_CLAIM_TTL_S;
export const FRESH_ITEMS_MAX = settings.FRESH_ITEMS_MAX;

/**
 * What a user's read model keeps: one set of limits for every writer and reader, so a snapshot
 * written by one service is the one another expects.
 */
export const USER_READ_MODEL_LIMITS = {
  maxAuthorAffinities: settings.USER_AFFINITY_MAX_ROWS,
  maxTopics: settings.USER_INTEREST_TOPICS_MAX,
  pullThreshold: FANOUT_PULL_THRESHOLD,
  maxPulledAuthors: settings.USER_PULLED_AUTHORS_MAX,
} as const;

/** Candidates one recall call returns when the request leaves `limit` 0 (the recall contract), and what the aggregator asks for by default. */
export const DEFAULT_RECALL_LIMIT = 500;
