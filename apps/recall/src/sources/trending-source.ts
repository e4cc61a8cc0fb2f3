import { ItemKind } from '@feedmesh/contracts';
import { redisKeys, TRENDING_HALF_LIFE_MS, type RedisClient } from '@feedmesh/storage';
import type pg from 'pg';
import type { RecallCandidate, RecallSource } from '../recall-candidate.js';
import { isUuid } from '../uuid.js';
import { topCandidates } from './top-candidates.js';
import { readTopEntries, type ZsetEntry } from './zset-entries.js';

export interface TrendingSourceDeps {
  redis: RedisClient;
  pool: pg.Pool;
  /** Split evenly across the kinds. */
  quota: number;
  halfLifeMs?: number;
}

const TRENDING_KINDS = [ItemKind.ARTICLE, ItemKind.VIDEO, ItemKind.LIVE] as const;

// Trending members carry no publication time (the score is heat plus time), so the source looks
// it up by primary key; the same query drops items deleted since they were scored.
const CREATED_AT_SQL = `
  SELECT id::text AS id, (extract(epoch FROM created_at) * 1000)::float8 AS created_ms
  FROM items
  WHERE id = ANY($1::uuid[]) AND status = 1`;

/**
 * "trending": the per-kind trending zsets. recallScore = the item's log heat decayed to now,
 * squashed into [0, 1).
 */
export function createTrendingSource(deps: TrendingSourceDeps): RecallSource {
  const { redis, pool, quota } = deps;
  const halfLifeMs = deps.halfLifeMs ?? TRENDING_HALF_LIFE_MS;
  const perKind = Math.ceil(quota / TRENDING_KINDS.length);
  return {
    name: 'trending',
    async fetch(_query, signal) {
      const perKindEntries = await Promise.all(TRENDING_KINDS.map((k) => readTopEntries(redis, redisKeys.trending(k), perKind)));
      const entries = perKindEntries.flat().filter((e) => isUuid(e.member.id));
      if (entries.length === 0) return [];
      signal.throwIfAborted();
      const { rows } = await pool.query<{ id: string; created_ms: number }>(CREATED_AT_SQL, [entries.map((e) => e.member.id)]);
      const createdAt = new Map(rows.map((r) => [r.id, r.created_ms]));
      const nowMs = Date.now();
      const candidates: RecallCandidate[] = [];
      for (const entry of entries) {
        const createdAtMs = createdAt.get(entry.member.id.toLowerCase());
        if (createdAtMs !== undefined) candidates.push(toCandidate(entry, createdAtMs, nowMs, halfLifeMs));
      }
      return topCandidates(candidates, quota);
    },
  };
}

function toCandidate({ member, score }: ZsetEntry, createdAtMs: number, nowMs: number, halfLifeMs: number): RecallCandidate {
  return {
    item: { id: member.id, kind: member.kind, authorId: member.authorId, createdAtMs },
    sources: [],
    recallScore: decayedHeatScore(score, nowMs, halfLifeMs),
  };
}

/**
 * A stored trending score is ln(1 + engagement) + createdAtMs·ln2/halfLife (see trendingScore).
 * Subtracting the same time term for "now" gives the log heat decayed to now,
 * ln(1 + engagement) − age·ln2/halfLife; h/(1+h) maps it into [0, 1) (0 when fully decayed).
 */
export function decayedHeatScore(storedScore: number, nowMs: number, halfLifeMs: number): number {
  const heat = storedScore - (nowMs * Math.LN2) / halfLifeMs;
  return heat > 0 ? heat / (1 + heat) : 0;
}
