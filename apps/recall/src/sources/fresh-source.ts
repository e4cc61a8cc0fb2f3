import { redisKeys, type ItemsRepository, type RedisClient, readTopEntries } from '@feedmesh/storage';
import type { RecallSource } from '../recall-candidate.js';
import { recencyScore } from './recency-score.js';

export interface FreshSourceDeps {
  redis: RedisClient;
  items: Pick<ItemsRepository, 'newest'>;
  quota: number;
  /** Told when the fresh-items zset was empty and Postgres answered instead. */
  onFallback?: () => void;
}

/**
 * "fresh": the newest active items overall, the same for every user, from the fresh-items zset
 * that ingest keeps. It keeps cold-start users (no follows, no interests) from an empty feed;
 * for the same reason an empty zset (a Redis that lost its data, a database seeded before the
 * read model existed) falls back to Postgres. recallScore = recency.
 */
export function createFreshSource(deps: FreshSourceDeps): RecallSource {
  const { redis, items, quota } = deps;
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
      const newest = await items.newest(quota);
      return newest.map((item) => ({ item, sources: [], recallScore: recencyScore(item.createdAtMs, nowMs) }));
    },
  };
}
