import type pg from 'pg';
import type { IndexedItem } from '../timelines/item-index.js';

export interface LoadedItem extends IndexedItem {
  status: number;
  authorFollowerCount: number;
}

const SELECT_ITEM = `
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

interface ItemRow {
  id: string;
  kind: number;
  author_id: string;
  status: number;
  topics: string[];
  created_at_ms: number;
  follower_count: number;
  views: number;
  likes: number;
  shares: number;
  hides: number;
  clicks: number;
}

/** The item as the Redis indexes and the fan-out planner need it; undefined when it is gone. */
export async function loadItem(db: pg.Pool | pg.PoolClient, itemId: string): Promise<LoadedItem | undefined> {
  const { rows } = await db.query<ItemRow>(SELECT_ITEM, [itemId]);
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
