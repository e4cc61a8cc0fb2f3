import { ItemKind } from '@feedmesh/contracts';
import { redisKeys, TRENDING_HALF_LIFE_MS, type ReadModel, type RedisClient, readTopEntriesOfKeys } from '@feedmesh/storage';
import type { RecallCandidate, RecallSource } from '../recall-candidate.js';
import { topCandidates } from './top-candidates.js';

export interface TrendingSourceDeps {
  redis: RedisClient;
  readModel: ReadModel;
  /** Split evenly across the kinds. */
  quota: number;
  halfLifeMs?: number;
}

const TRENDING_KINDS = [ItemKind.ARTICLE, ItemKind.VIDEO, ItemKind.LIVE] as const;

/**
 * "trending": the per-kind trending zsets. Their members carry no publication time (the score is
 * heat plus time), so the source reads the item records — which also drops items deleted since
 * they were scored and hands their counters on. recallScore = the item's log heat decayed to
 * now, squashed into [0, 1).
 */
export function createTrendingSource(deps: TrendingSourceDeps): RecallSource {
  const { redis, readModel, quota } = deps;
  const halfLifeMs = deps.halfLifeMs ?? TRENDING_HALF_LIFE_MS;
  const perKind = Math.ceil(quota / TRENDING_KINDS.length);
  return {
    name: 'trending',
    async fetch(_query, signal) {
      const perKindEntries = await readTopEntriesOfKeys(redis, TRENDING_KINDS.map((k) => ({ key: redisKeys.trending(k), count: perKind })));
      // A member whose id names no item (not even a UUID) has no record and is dropped below.
      const entries = perKindEntries.flat();
      if (entries.length === 0) return [];
      signal.throwIfAborted();
      const records = await readModel.itemRecords(entries.map((e) => e.member.id));
      const nowMs = Date.now();
      const candidates: RecallCandidate[] = [];
      for (const { member, score } of entries) {
        const record = records.get(member.id);
        if (record?.status !== 'active') continue;
        candidates.push({
          item: { id: member.id, kind: member.kind, authorId: member.authorId, createdAtMs: record.createdAtMs },
          sources: [],
          recallScore: decayedHeatScore(score, nowMs, halfLifeMs),
          stats: record,
        });
      }
      return topCandidates(candidates, quota);
    },
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
