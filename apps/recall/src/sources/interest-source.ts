import { redisKeys } from '@feedmesh/storage';
import type { RecallCandidate, RecallSource } from '../recall-candidate.js';
import type { SharedZsets } from './shared-zsets.js';
import { topCandidates } from './top-candidates.js';

export interface InterestSourceDeps {
  /** The topics' recent zsets, shared by every user (depth: quota). */
  topicsRecent: SharedZsets;
  quota: number;
  /** How many of the user's heaviest topics are read. */
  maxTopics: number;
}

/**
 * "interest": the recent items of the user's heaviest topics (from the user's read model), the
 * quota shared in proportion to topic weight. recallScore = topic weight relative to the user's
 * heaviest topic. Topic zsets are the same for every reader: they come from the shared cache,
 * with their records.
 */
export function createInterestSource(deps: InterestSourceDeps): RecallSource {
  const { topicsRecent, quota, maxTopics } = deps;
  return {
    name: 'interest',
    async fetch(query, signal) {
      const topics = (await query.user())?.interests.slice(0, maxTopics) ?? [];
      if (topics.length === 0) return [];
      signal.throwIfAborted();
      const shares = topicShares(topics, quota);
      if (shares.length === 0) return [];
      const maxWeight = topics[0]!.weight;
      const read = await topicsRecent.read(shares.map(({ topic, count }) => ({ key: redisKeys.topicRecent(topic), count })));
      const perTopic = read.map((entries, t) =>
        entries.map(
          ({ member, score, record }): RecallCandidate => ({
            item: { id: member.id, kind: member.kind, authorId: member.authorId, createdAtMs: score },
            sources: [],
            recallScore: shares[t]!.weight / maxWeight,
            stats: record,
          }),
        ),
      );
      return topCandidates(perTopic.flat(), quota);
    },
  };
}

export interface TopicShare {
  topic: string;
  weight: number;
  count: number;
}

/**
 * Splits `quota` across topics in proportion to their weights (at least one entry each). Topic
 * slugs that cannot be a Redis key (braces) are skipped.
 */
export function topicShares(topics: ReadonlyArray<{ topic: string; weight: number }>, quota: number): TopicShare[] {
  const usable = topics.filter((t) => t.weight > 0 && t.topic.length > 0 && !t.topic.includes('{') && !t.topic.includes('}'));
  const total = usable.reduce((sum, t) => sum + t.weight, 0);
  if (total <= 0 || quota <= 0) return [];
  return usable.map((t) => ({ topic: t.topic, weight: t.weight, count: Math.max(1, Math.ceil((quota * t.weight) / total)) }));
}
