import type pg from 'pg';
import type { RecallSource } from '../recall-candidate.js';
import { recencyScore } from './recency-score.js';

export interface FreshSourceDeps {
  pool: pg.Pool;
  quota: number;
}

// items_recent_idx (created_at DESC, id DESC) WHERE status = 1: an index-only prefix read.
const NEWEST_ITEMS_SQL = `
  SELECT id::text AS id, kind, author_id, (extract(epoch FROM created_at) * 1000)::float8 AS created_ms
  FROM items
  WHERE status = 1
  ORDER BY created_at DESC, id DESC
  LIMIT $1`;

/**
 * "fresh": the newest active items overall, the same for every user. It keeps cold-start users
 * (no follows, no interests) and empty Redis from getting an empty feed. recallScore = recency.
 */
export function createFreshSource(deps: FreshSourceDeps): RecallSource {
  const { pool, quota } = deps;
  return {
    name: 'fresh',
    async fetch() {
      const { rows } = await pool.query<{ id: string; kind: number; author_id: string; created_ms: number }>(NEWEST_ITEMS_SQL, [quota]);
      const nowMs = Date.now();
      return rows.map((r) => ({
        item: { id: r.id, kind: r.kind, authorId: r.author_id, createdAtMs: r.created_ms },
        sources: [],
        recallScore: recencyScore(r.created_ms, nowMs),
      }));
    },
  };
}
