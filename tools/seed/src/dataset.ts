import { COPY_NULL, copyText, copyTextArray, copyTimestamp } from './copy-text.js';
import { generateFollowGraph, type FollowGraph } from './follow-graph.js';
import { generateItemCatalog, itemTopics, type ItemCatalog } from './item-catalog.js';
import { itemPayload } from './item-payloads.js';
import { generateItemStats, type ItemStatsColumns } from './item-stats.js';
import { phasePrng } from './prng.js';
import { validateDatasetOptions, type DatasetOptions } from './seed-options.js';
import { UserProfileStreams } from './user-profile-streams.js';
import { ADJECTIVES, NOUNS } from './vocabulary.js';

const DAY_MS = 86_400_000;

/** One table's rows as COPY text lines (without the newline), generated lazily. */
export interface SeedTable {
  name: string;
  columns: readonly string[];
  lines(): Iterable<string>;
}

export interface Dataset {
  options: DatasetOptions;
  graph: FollowGraph;
  catalog: ItemCatalog;
  stats: ItemStatsColumns;
  /** In load order (parents before children). */
  tables: SeedTable[];
}

export const userId = (index: number): string => `u${index + 1}`;

/**
 * Builds the in-memory core (follow graph, item metadata, stats: a few hundred MB at 100k users
 * and 1M items) and describes every table as a lazy line generator, so rows are produced while
 * they stream into COPY. Each table has its own PRNG stream: iterating the same table twice
 * yields the same lines, whatever else was iterated in between.
 */
export function generateDataset(options: DatasetOptions): Dataset {
  validateDatasetOptions(options);
  const { seed, nowMs } = options;
  const graph = generateFollowGraph(options.users, phasePrng(seed, 'follows'));
  const catalog = generateItemCatalog(graph, options, phasePrng(seed, 'items'));
  const stats = generateItemStats(catalog, graph, nowMs, phasePrng(seed, 'stats'));
  const userCount = options.users;

  const users: SeedTable = {
    name: 'users',
    columns: ['id', 'handle', 'display_name', 'created_at', 'follower_count', 'following_count'],
    *lines() {
      const prng = phasePrng(seed, 'users');
      for (let u = 0; u < userCount; u++) {
        const adjective = prng.pick(ADJECTIVES);
        const noun = prng.pick(NOUNS);
        const handle = `${adjective}_${noun}_${u + 1}`;
        const name = `${adjective[0]!.toUpperCase()}${adjective.slice(1)} ${noun[0]!.toUpperCase()}${noun.slice(1)}`;
        const createdAt = nowMs - prng.int(options.days + 30, 730) * DAY_MS - prng.int(0, DAY_MS - 1);
        const following = graph.offsets[u + 1]! - graph.offsets[u]!;
        yield `${userId(u)}\t${handle}\t${name}\t${copyTimestamp(createdAt)}\t${graph.followerCounts[u]}\t${following}`;
      }
    },
  };

  const follows: SeedTable = {
    name: 'follows',
    columns: ['follower_id', 'followee_id', 'created_at'],
    *lines() {
      const prng = phasePrng(seed, 'follow-times');
      for (let u = 0; u < userCount; u++) {
        const follower = userId(u);
        for (let e = graph.offsets[u]!; e < graph.offsets[u + 1]!; e++) {
          const at = nowMs - options.days * DAY_MS - prng.int(0, 60 * DAY_MS);
          yield `${follower}\t${userId(graph.followees[e]!)}\t${copyTimestamp(at)}`;
        }
      }
    },
  };

  const items: SeedTable = {
    name: 'items',
    columns: ['id', 'kind', 'author_id', 'created_at', 'updated_at', 'status', 'topics', 'payload', 'request_id'],
    *lines() {
      const prng = phasePrng(seed, 'payloads');
      for (let i = 0; i < catalog.count; i++) {
        const at = copyTimestamp(catalog.createdAtMs[i]!);
        const payload = copyText(JSON.stringify(itemPayload(catalog, i, nowMs, prng)));
        const topics = copyTextArray(itemTopics(catalog, i));
        yield `${catalog.ids[i]}\t${catalog.kinds[i]}\t${userId(catalog.authors[i]!)}\t${at}\t${at}\t1\t${topics}\t${payload}\t${COPY_NULL}`;
      }
    },
  };

  const itemStats: SeedTable = {
    name: 'item_stats',
    columns: ['item_id', 'views', 'likes', 'shares', 'hides', 'clicks', 'updated_at'],
    *lines() {
      const updatedAt = copyTimestamp(nowMs);
      for (let i = 0; i < catalog.count; i++) {
        yield `${catalog.ids[i]}\t${stats.views[i]}\t${stats.likes[i]}\t${stats.shares[i]}\t${stats.hides[i]}\t${stats.clicks[i]}\t${updatedAt}`;
      }
    },
  };

  const userAuthorAffinity: SeedTable = {
    name: 'user_author_affinity',
    columns: ['user_id', 'author_id', 'score', 'updated_at'],
    *lines() {
      const profiles = new UserProfileStreams(seed, graph, catalog);
      const scratch = new Float64Array(128);
      const updatedAt = copyTimestamp(nowMs);
      for (let u = 0; u < userCount; u++) {
        const user = userId(u);
        const start = graph.offsets[u]!;
        const scores = profiles.authorScores(u, scratch);
        for (let e = 0; e < scores.length; e++) {
          yield `${user}\t${userId(graph.followees[start + e]!)}\t${scores[e]}\t${updatedAt}`;
        }
      }
    },
  };

  const userKindAffinityTable: SeedTable = {
    name: 'user_kind_affinity',
    columns: ['user_id', 'kind', 'score', 'updated_at'],
    *lines() {
      const profiles = new UserProfileStreams(seed, graph, catalog);
      const updatedAt = copyTimestamp(nowMs);
      for (let u = 0; u < userCount; u++) {
        const scores = profiles.kindScores();
        for (let k = 0; k < 3; k++) yield `${userId(u)}\t${k + 1}\t${scores[k]}\t${updatedAt}`;
      }
    },
  };

  const userInterestsTable: SeedTable = {
    name: 'user_interests',
    columns: ['user_id', 'topic', 'weight'],
    *lines() {
      const profiles = new UserProfileStreams(seed, graph, catalog);
      for (let u = 0; u < userCount; u++) {
        for (const [topic, weight] of profiles.interests(u)) {
          yield `${userId(u)}\t${topic}\t${weight}`;
        }
      }
    },
  };

  return {
    options,
    graph,
    catalog,
    stats,
    tables: [users, follows, items, itemStats, userAuthorAffinity, userKindAffinityTable, userInterestsTable],
  };
}
