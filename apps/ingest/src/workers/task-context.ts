import type { RedisClient, Repositories } from '@feedmesh/storage';

/** What every outbox task needs. */
export interface TaskContext {
  /** The repositories over the workers' own pool. */
  storage: Repositories;
  redis: RedisClient;
  /** Followers per fan-out job. */
  fanoutBatchSize: number;
  /** Pause after each fan-out batch (ms), a write-rate cap for Redis; 0 = none. */
  fanoutBatchPauseMs: number;
  /** Authors with more followers than this are pulled at read time, not pushed. */
  pullThreshold: number;
  /** Recent items of a followed author copied into the new follower's timeline. */
  backfillLimit: number;
}
