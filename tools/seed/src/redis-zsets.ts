import {
  AUTHOR_RECENT_MAX,
  encodeTimelineMember,
  FANOUT_PULL_THRESHOLD,
  redisKeys,
  TOPIC_RECENT_MAX,
  trendingScore,
  TRENDING_MAX_LENGTH,
} from '@feedmesh/storage';
import { userId, type Dataset } from './dataset.js';
import { ITEM_KIND, TOPICS_PER_ITEM_MAX } from './item-catalog.js';
import { LatestItemsMerge } from './latest-items-merge.js';
import { TOPICS } from './vocabulary.js';

/** One zset to write: ZADD key score member score member ... */
export interface ZsetWrite {
  key: string;
  /** Flat score/member pairs, ready for ZADD. */
  args: Array<string | number>;
  entries: number;
}

export interface RedisZsetOptions {
  /** Entries per home timeline (at most TIMELINE_MAX_LENGTH). */
  timelineLength: number;
}

/**
 * Every zset the read path expects, computed from the dataset the way the write path maintains
 * them: home timelines get the newest items of followed authors at or under the fan-out pull
 * threshold (authors above it are pulled at read time from their author zset); author, topic and
 * trending zsets are trimmed to their configured lengths.
 */
export function* redisZsets(dataset: Dataset, options: RedisZsetOptions): Generator<ZsetWrite> {
  const { catalog, graph, stats } = dataset;
  const userCount = dataset.options.users;
  const members: string[] = new Array(catalog.count);
  for (let i = 0; i < catalog.count; i++) {
    members[i] = encodeTimelineMember({ id: catalog.ids[i]!, kind: catalog.kinds[i]!, authorId: userId(catalog.authors[i]!) });
  }
  const byTime = (key: string, itemIndexes: ArrayLike<number>, count: number): ZsetWrite => {
    const args: Array<string | number> = new Array(count * 2);
    for (let j = 0; j < count; j++) {
      const item = itemIndexes[j]!;
      args[2 * j] = catalog.createdAtMs[item]!;
      args[2 * j + 1] = members[item]!;
    }
    return { key, args, entries: count };
  };

  // Trending per kind: the TRENDING_MAX_LENGTH best log-heat-plus-time scores.
  for (const kind of [ITEM_KIND.article, ITEM_KIND.video, ITEM_KIND.live]) {
    const scored: Array<[score: number, item: number]> = [];
    for (let i = 0; i < catalog.count; i++) {
      if (catalog.kinds[i] !== kind) continue;
      const score = trendingScore(
        { views: stats.views[i]!, likes: stats.likes[i]!, shares: stats.shares[i]!, hides: stats.hides[i]!, clicks: stats.clicks[i]! },
        catalog.createdAtMs[i]!,
      );
      scored.push([score, i]);
    }
    scored.sort((a, b) => b[0] - a[0] || b[1] - a[1]);
    const top = scored.slice(0, TRENDING_MAX_LENGTH);
    const args: Array<string | number> = [];
    for (const [score, item] of top) args.push(score, members[item]!);
    if (top.length > 0) yield { key: redisKeys.trending(kind), args, entries: top.length };
  }

  // Topic recent: walk items newest first, keep TOPIC_RECENT_MAX per topic.
  const perTopic: number[][] = TOPICS.map(() => []);
  for (let i = catalog.count - 1; i >= 0; i--) {
    for (let s = 0; s < TOPICS_PER_ITEM_MAX; s++) {
      const topic = catalog.topicSlots[i * TOPICS_PER_ITEM_MAX + s]!;
      const list = perTopic[topic];
      if (list && list.length < TOPIC_RECENT_MAX) list.push(i);
    }
  }
  for (let t = 0; t < TOPICS.length; t++) {
    const list = perTopic[t]!;
    if (list.length > 0) yield byTime(redisKeys.topicRecent(TOPICS[t]!), list, list.length);
  }

  // Author recent: the newest AUTHOR_RECENT_MAX items of every author who published.
  for (let a = 0; a < userCount; a++) {
    const start = catalog.authorOffsets[a]!;
    const end = catalog.authorOffsets[a + 1]!;
    if (end === start) continue;
    const from = Math.max(start, end - AUTHOR_RECENT_MAX);
    yield byTime(redisKeys.authorRecent(userId(a)), catalog.authorItems.subarray(from, end), end - from);
  }

  // Home timelines (push side of the hybrid fan-out).
  const merge = new LatestItemsMerge(catalog.authorOffsets, catalog.authorItems);
  const latest = new Int32Array(options.timelineLength);
  const pushed: number[] = [];
  for (let u = 0; u < userCount; u++) {
    pushed.length = 0;
    for (let e = graph.offsets[u]!; e < graph.offsets[u + 1]!; e++) {
      const author = graph.followees[e]!;
      if (graph.followerCounts[author]! <= FANOUT_PULL_THRESHOLD) pushed.push(author);
    }
    const count = merge.merge(pushed, options.timelineLength, latest);
    if (count > 0) yield byTime(redisKeys.homeTimeline(userId(u)), latest, count);
  }
}
