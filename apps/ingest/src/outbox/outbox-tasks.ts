/**
 * The transactional outbox is graphile-worker's job table: a write and its event are one
 * `graphile_worker.add_job(...)` call inside the same Postgres transaction (usually the same
 * statement), so an event exists exactly when its write committed. Workers run these tasks with
 * at-least-once delivery; every task's effect is idempotent (ZADD/ZREM of fixed members and
 * scores, DEL), so a replayed job changes nothing.
 */

export const OUTBOX_TASKS = {
  /** An item was published: index it (author, topics, trending) and plan the fan-out. */
  itemPublished: 'item_published',
  /** Push one item into one batch of follower timelines. */
  fanoutBatch: 'fanout_batch',
  /** An item was edited: refresh its topic zsets and drop its cached card. */
  itemEdited: 'item_edited',
  /** An item was deleted: unindex it and plan the removal from follower timelines. */
  itemDeleted: 'item_deleted',
  /** Remove one item from one batch of follower timelines. */
  unfanoutBatch: 'unfanout_batch',
  /** A follow edge appeared or disappeared: backfill or prune the follower's timeline, set or drop `p:<followee>`. */
  followChanged: 'follow_changed',
  /** An author's follower count crossed the pull threshold: plan their followers' `p:<author>` updates. */
  pullAuthorChanged: 'pull_author_changed',
  /** Set or drop `p:<author>` in one batch of the author's followers' read-model hashes. */
  pullAuthorBatch: 'pull_author_batch',
} as const;

export interface ItemEventPayload {
  itemId: string;
}

export interface ItemEditedPayload extends ItemEventPayload {
  previousTopics: string[];
}

/** One batch of followers: those of `authorId` with follower_id >= fromFollowerId, at most `limit`. */
export interface TimelineBatchPayload {
  itemId: string;
  authorId: string;
  /** The encoded timeline member and its score, so a batch needs no item lookup to write. */
  member: string;
  score: number;
  fromFollowerId: string;
  limit: number;
}

export interface FollowChangedPayload {
  followerId: string;
  followeeId: string;
  following: boolean;
}

export interface PullAuthorPayload {
  authorId: string;
}

/** One range of an author's followers: fromFollowerId <= follower_id < toFollowerId (null: to the end). */
export interface PullAuthorBatchPayload extends PullAuthorPayload {
  fromFollowerId: string;
  toFollowerId: string | null;
}

/**
 * An author's pull-status jobs (the plan and its batches) run one after another, so the
 * batches of an older crossing never land after those of a newer one.
 */
export function pullAuthorQueueName(authorId: string): string {
  return `pull:${authorId}`;
}

/** Follow events of one follower run one after another (a graphile-worker named queue). */
export function followQueueName(followerId: string): string {
  return `follow:${followerId}`;
}
