import { redisKeys, type RedisClient } from '@feedmesh/storage';
import type pg from 'pg';
import type { RecallSource } from '../recall-candidate.js';
import { recencyScore } from './recency-score.js';
import { readTopEntries } from './zset-entries.js';

export interface FreshSourceDeps {
  redis: RedisClient;
  pool: pg.Pool;
  quota: number;
  /** Told when the fresh-items zset was empty and Postgres answered instead. */
  onFallback?: () => void;
}

// items_recent_idx (created_at DESC, id DESC) WHERE status = 1: an index-only prefix read.
const NEWEST_ITEMS_SQL = `
  SELECT id::text AS id, kind, author_id, (extract(epoch FROM created_at) * 1000)::float8 AS created_ms
  FROM items
  WHERE status = 1
  ORDER BY created_at DESC, id DESC
  LIMIT $1`;

/**
 * "fresh": the newest active items overall, the same for every user, from the fresh-items zset
 * that ingest keeps. It keeps cold-start users (no follows, no interests) from an empty feed;
 * for the same reason an empty zset (a Redis that lost its data, a database seeded before the
 * read model existed) falls back to Postgres. recallScore = recency.
 */
export function createFreshSource(deps: FreshSourceDeps): RecallSource {
  const { redis, pool, quota } = deps;
  return {
    name: 'fresh',
    async fetch() {
      const nowMs = Date.now();
      const entries = await readTopEntries(redis, redisKeys.freshItems(), quota);
      if (entries.length > 0) {
        return entries.map(({ member, score }) => ({
          item: { id: member.id, kind: member.kind, authorId: member.authorId, createdAtMs: score },
          sources: [],
          recallScore: recencyScore(score, nowMs),
        }));
      }
      deps.onFallback?.();
      const { rows } = await pool.query<{ id: string; kind: number; author_id: string; created_ms: number }>(NEWEST_ITEMS_SQL, [quota]);
      return rows.map((r) => ({
        item: { id: r.id, kind: r.kind, authorId: r.author_id, createdAtMs: r.created_ms },
        sources: [],
        recallScore: recencyScore(r.created_ms, nowMs),
      }));
    },
  };
}
