export { createPgPool, pgPoolStats, PG_POOL_DEFAULTS, type PgPoolOptions, type PgPoolStats } from './pg-pool.js';
export {
  createRedis,
  waitForRedis,
  reconnectDelayMs,
  REDIS_DEFAULTS,
  type RedisClient,
  type RedisClientOptions,
} from './redis.js';
export { redisKeys, hashTagOf, KEY_PREFIX, ALL_KEYS_PATTERN } from './keys.js';
export { deleteFeedmeshKeys } from './delete-keys.js';
export { bindDataset, checkDatasetBinding, readDatasetBinding, describeDataset, DatasetMismatchError, type DatasetBinding } from './dataset-binding.js';
export { encodeTimelineMember, decodeTimelineMember, type TimelineMember } from './timeline-member.js';
export { trendingScore, weightedEngagement, TRENDING_WEIGHTS, type TrendingCounts } from './trending-score.js';
export type { EngagementCounts, StoredEngagementCounts } from './engagement-counts.js';
export { isConnectionLoss, storeFailureKind, sqlStateOf, DEADLOCK_DETECTED, FOREIGN_KEY_VIOLATION } from './store-failure.js';
export {
  TIMELINE_MAX_LENGTH,
  AUTHOR_RECENT_MAX,
  FANOUT_PULL_THRESHOLD,
  TRENDING_MAX_LENGTH,
  TOPIC_RECENT_MAX,
  TRENDING_HALF_LIFE_MS,
  PUBLISH_CLAIM_TTL_S,
  FRESH_ITEMS_MAX,
  USER_READ_MODEL_LIMITS,
  DEFAULT_RECALL_LIMIT,
} from './feed-limits.js';
export { ensureDatabase, dropDatabase, databaseNameOf } from './database.js';
export { migrate, MIGRATIONS_DIR, MIGRATIONS_TABLE, type MigrateOptions } from './migrate.js';
export { storageEnvSpec, sharedDataEnvSpec, prepareDatabase, redisTarget } from './storage-env.js';
export { KeyedPipeline } from './keyed-pipeline.js';
export * from './read-model/item-records.js';
export * from './read-model/user-read-model.js';
export * from './read-model/read-model.js';
export * from './read-model/read-model-metrics.js';
export * from './read-model/read-model-writes.js';
export * from './repositories/outbox-job.js';
export * from './repositories/items-repository.js';
export * from './repositories/users-repository.js';
export * from './repositories/follows-repository.js';
export * from './repositories/engagement-repository.js';
export * from './repositories/timelines-repository.js';
export * from './repositories/outbox-repository.js';
export * from './repositories/publish-claims-repository.js';
export * from './repositories/viewer-preferences-repository.js';
export * from './open-storage.js';
export { readHomeTimeline, readTopEntries, readTopEntriesOfKeys, readTopicItemIds, parseWithScores, type HomeTimelineRead, type ZsetEntry } from './timeline-reads.js';
export * from './viewer-state/viewer-preferences.js';
export * from './viewer-state/seen-items.js';
export * from './viewer-state/viewer-state.js';
