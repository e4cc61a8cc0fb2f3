// The items table (with item_stats where a read needs the counters). Item status is the proto's
// ItemStatus; its numbers are written into the SQL text, not passed as parameters, so the
// planner still matches the partial indexes' `WHERE status = 1`.
import { ItemStatus } from '@feedmesh/contracts';
import type pg from 'pg';
import type { StoredEngagementCounts } from '../engagement-counts.js';
import type { ItemRecord } from '../read-model/item-records.js';
import { FOREIGN_KEY_VIOLATION, sqlStateOf } from '../store-failure.js';

const ACTIVE = ItemStatus.ACTIVE;
const DELETED = ItemStatus.DELETED;

export interface NewItem {
  kind: number;
  authorId: string;
  payload: Record<string, unknown>;
  topics: string[];
  /** The client's idempotency key: unique per author. */
  requestId: string;
}

export type InsertOutcome =
  | { outcome: 'inserted'; itemId: string }
  /** The author already has an item of this request id (a retry, or a concurrent insert that won). */
  | { outcome: 'exists' }
  /** No user has the item's author id. */
  | { outcome: 'unknown-author' };

export interface ItemEdit {
  itemId: string;
  authorId: string;
  /** An edit cannot change the kind: it applies only to an active item of this kind. */
  kind: number;
  /** Merged into the stored payload (server-kept fields survive). */
  fields: Record<string, unknown>;
  topics: string[];
}

export interface ItemOwner {
  authorId: string;
  kind: number;
  status: ItemStatus;
}

/** An item as the Redis indexes and the fan-out planner need it. */
export interface IndexableItem {
  id: string;
  kind: number;
  authorId: string;
  status: ItemStatus;
  topics: string[];
  createdAtMs: number;
  authorFollowerCount: number;
  stats: StoredEngagementCounts;
}

/** A recent item of an author, for a timeline entry. */
export interface AuthorItem {
  id: string;
  kind: number;
  createdAtMs: number;
}

export interface NewestItem extends AuthorItem {
  authorId: string;
}

/** An items row with its payload, as render builds cards from it. */
export interface StoredItem {
  id: string;
  /** proto ItemKind number. */
  kind: number;
  authorId: string;
  createdAtMs: number;
  status: ItemStatus;
  payload: Record<string, unknown>;
}

// One statement, hence one transaction: the item and its outbox job commit together or not at
// all. ON CONFLICT DO NOTHING waits for a concurrent insert of the same (author, request_id) and
// then yields no row; the caller then reads the winner's id.
const INSERT_WITH_EVENT = `
WITH inserted AS (
  INSERT INTO items (kind, author_id, payload, topics, request_id)
  VALUES ($1, $2, $3::jsonb, $4::text[], $5)
  ON CONFLICT (author_id, request_id) DO NOTHING
  RETURNING id
)
SELECT inserted.id, job.id AS job_id
FROM inserted CROSS JOIN LATERAL graphile_worker.add_job($6, json_build_object('itemId', inserted.id), job_key => 'item:' || inserted.id || ':published') AS job`;

const BY_REQUEST_ID = `SELECT id, payload->>$3 AS field FROM items WHERE author_id = $1 AND request_id = $2`;

// The payload is merged (||) so server-kept fields (a live stream's status, viewers) survive.
// The previous topics travel with the event so the worker can leave topics the edit dropped.
const UPDATE_WITH_EVENT = `
WITH previous AS (
  SELECT id, topics FROM items WHERE id = $1 AND author_id = $2 AND kind = $3 AND status = ${ACTIVE} FOR UPDATE
), updated AS (
  UPDATE items SET payload = items.payload || $4::jsonb, topics = $5::text[], updated_at = now()
  FROM previous WHERE items.id = previous.id
  RETURNING items.id, previous.topics AS previous_topics
)
SELECT updated.id, job.id AS job_id
FROM updated CROSS JOIN LATERAL graphile_worker.add_job($6, json_build_object('itemId', updated.id, 'previousTopics', updated.previous_topics)) AS job`;

// Soft delete and its outbox event in one statement. The job key makes a repeated delete of the
// same item collapse into one pending job.
const DELETE_WITH_EVENT = `
WITH deleted AS (
  UPDATE items SET status = ${DELETED}, updated_at = now()
  WHERE id = $1 AND author_id = $2 AND status = ${ACTIVE}
  RETURNING id
)
SELECT deleted.id, job.id AS job_id
FROM deleted CROSS JOIN LATERAL graphile_worker.add_job($3, json_build_object('itemId', deleted.id), job_key => 'item:' || deleted.id || ':deleted') AS job`;

const INDEXABLE = `
SELECT i.id, i.kind, i.author_id, i.status, i.topics,
       floor(extract(epoch FROM i.created_at) * 1000)::float8 AS created_at_ms,
       u.follower_count,
       coalesce(s.views, 0)::float8 AS views, coalesce(s.likes, 0)::float8 AS likes,
       coalesce(s.shares, 0)::float8 AS shares, coalesce(s.hides, 0)::float8 AS hides,
       coalesce(s.clicks, 0)::float8 AS clicks
FROM items i
JOIN users u ON u.id = i.author_id
LEFT JOIN item_stats s ON s.item_id = i.id
WHERE i.id = $1`;

// items_author_recent_idx (author_id, created_at DESC, id DESC) WHERE status = 1.
const RECENT_OF_AUTHOR = `SELECT id, kind, floor(extract(epoch FROM created_at) * 1000)::float8 AS created_at_ms
     FROM items WHERE author_id = $1 AND status = ${ACTIVE} ORDER BY created_at DESC, id DESC LIMIT $2`;

// items_recent_idx (created_at DESC, id DESC) WHERE status = 1: an index-only prefix read.
const NEWEST = `
  SELECT id::text AS id, kind, author_id, (extract(epoch FROM created_at) * 1000)::float8 AS created_ms
  FROM items
  WHERE status = ${ACTIVE}
  ORDER BY created_at DESC, id DESC
  LIMIT $1`;

const BY_IDS = `
  SELECT id::text AS id, kind, author_id, floor(extract(epoch FROM created_at) * 1000)::float8 AS created_ms, status, payload
  FROM items
  WHERE id = ANY($1::uuid[])`;

// Items by primary key with their counters; an item without a stats row has zero engagement.
const RECORDS = `
  SELECT i.id::text AS id, i.status, floor(extract(epoch FROM i.created_at) * 1000)::float8 AS created_ms,
         coalesce(s.views, 0)::float8 AS views, coalesce(s.likes, 0)::float8 AS likes,
         coalesce(s.shares, 0)::float8 AS shares, coalesce(s.hides, 0)::float8 AS hides
  FROM items i
  LEFT JOIN item_stats s ON s.item_id = i.id
  WHERE i.id = ANY($1::uuid[])`;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export class ItemsRepository {
  constructor(private readonly pool: pg.Pool) {}

  /** Inserts a published item and its outbox job (`publishedTask`, payload `{itemId}`) in one statement. */
  async insertPublished(item: NewItem, publishedTask: string): Promise<InsertOutcome> {
    try {
      const { rows } = await this.pool.query<{ id: string }>(INSERT_WITH_EVENT, [
        item.kind,
        item.authorId,
        JSON.stringify(item.payload),
        item.topics,
        item.requestId,
        publishedTask,
      ]);
      return rows[0] ? { outcome: 'inserted', itemId: rows[0].id } : { outcome: 'exists' };
    } catch (error) {
      if (sqlStateOf(error) === FOREIGN_KEY_VIOLATION) return { outcome: 'unknown-author' };
      throw error;
    }
  }

  /** The author's item of `requestId` and its payload's string field `field` (null when absent). */
  async byRequestId(authorId: string, requestId: string, field: string): Promise<{ id: string; field: string | null } | undefined> {
    const { rows } = await this.pool.query<{ id: string; field: string | null }>(BY_REQUEST_ID, [authorId, requestId, field]);
    return rows[0];
  }

  /** Applies an edit to the active item and adds its outbox job (`editedTask`, payload `{itemId, previousTopics}`); false when no row matched. */
  async editActive(edit: ItemEdit, editedTask: string): Promise<boolean> {
    const { rowCount } = await this.pool.query(UPDATE_WITH_EVENT, [edit.itemId, edit.authorId, edit.kind, JSON.stringify(edit.fields), edit.topics, editedTask]);
    return !!rowCount;
  }

  /** Soft-deletes the author's active item and adds its outbox job (`deletedTask`, payload `{itemId}`); false when no row matched. */
  async deleteActive(itemId: string, authorId: string, deletedTask: string): Promise<boolean> {
    const { rowCount } = await this.pool.query(DELETE_WITH_EVENT, [itemId, authorId, deletedTask]);
    return !!rowCount;
  }

  /** Who owns the item, its kind and status; undefined when there is no such item. */
  async owner(itemId: string): Promise<ItemOwner | undefined> {
    const { rows } = await this.pool.query<{ author_id: string; kind: number; status: ItemStatus }>('SELECT author_id, kind, status FROM items WHERE id = $1', [itemId]);
    const row = rows[0];
    return row && { authorId: row.author_id, kind: row.kind, status: row.status };
  }

  /** The item with its author's follower count and its counters; undefined when it is gone. */
  async indexable(itemId: string): Promise<IndexableItem | undefined> {
    const { rows } = await this.pool.query<{
      id: string;
      kind: number;
      author_id: string;
      status: ItemStatus;
      topics: string[];
      created_at_ms: number;
      follower_count: number;
      views: number;
      likes: number;
      shares: number;
      hides: number;
      clicks: number;
    }>(INDEXABLE, [itemId]);
    const row = rows[0];
    if (!row) return undefined;
    return {
      id: row.id,
      kind: row.kind,
      authorId: row.author_id,
      status: row.status,
      topics: row.topics,
      createdAtMs: row.created_at_ms,
      authorFollowerCount: row.follower_count,
      stats: { views: row.views, likes: row.likes, shares: row.shares, hides: row.hides, clicks: row.clicks },
    };
  }

  /** The author's latest active items, newest first. */
  async recentOfAuthor(authorId: string, limit: number): Promise<AuthorItem[]> {
    const { rows } = await this.pool.query<{ id: string; kind: number; created_at_ms: number }>(RECENT_OF_AUTHOR, [authorId, limit]);
    return rows.map((row) => ({ id: row.id, kind: row.kind, createdAtMs: row.created_at_ms }));
  }

  /** The newest active items overall, newest first. */
  async newest(limit: number): Promise<NewestItem[]> {
    const { rows } = await this.pool.query<{ id: string; kind: number; author_id: string; created_ms: number }>(NEWEST, [limit]);
    return rows.map((r) => ({ id: r.id, kind: r.kind, authorId: r.author_id, createdAtMs: r.created_ms }));
  }

  /** One primary-key batch read (deleted items included); ids absent from the result do not exist. */
  async byIds(ids: readonly string[]): Promise<Map<string, StoredItem>> {
    if (ids.length === 0) return new Map();
    const { rows } = await this.pool.query<{ id: string; kind: number; author_id: string; created_ms: number; status: ItemStatus; payload: Record<string, unknown> }>(
      BY_IDS,
      [ids],
    );
    return new Map(rows.map((r) => [r.id, { id: r.id, kind: r.kind, authorId: r.author_id, createdAtMs: r.created_ms, status: r.status, payload: r.payload }]));
  }

  /** The read-model records of `ids` (the source of truth); ids that name no item are absent. */
  async records(ids: readonly string[]): Promise<Map<string, ItemRecord>> {
    const found = new Map<string, ItemRecord>();
    const uuids = ids.filter((id) => UUID.test(id));
    if (uuids.length === 0) return found;
    const { rows } = await this.pool.query<{ id: string; status: ItemStatus; created_ms: number; views: number; likes: number; shares: number; hides: number }>(
      RECORDS,
      [uuids],
    );
    for (const r of rows) {
      const active = r.status === ACTIVE;
      found.set(r.id, {
        status: active ? 'active' : 'deleted',
        createdAtMs: active ? r.created_ms : 0,
        views: r.views,
        likes: r.likes,
        shares: r.shares,
        hides: r.hides,
      });
    }
    return found;
  }
}

