// The per-user part of the read model: everything a page needs to know about its viewer, in one
// Redis hash `{u:<userId>}:rm`, read with one HGETALL by each service that needs a piece of it:
//   `_`          the user exists (the hash is complete only with it; see below)
//   `a:<author>` affinity to an author, [0, 1]        (ranking)
//   `k:<kind>`   preference for an item kind, [0, 1]  (ranking)
//   `t:<topic>`  interest weight of a topic, > 0      (recall's interest source)
//   `p:<author>` a followed pull author (more followers than the fan-out threshold), value =
//                their follower count                 (recall's following source)
//
// Postgres stays the source of truth. The seed writes every user's hash, ingest updates single
// fields as affinities, follows and interests change, and a reader that finds no `_` loads the
// user from Postgres and writes the snapshot back field by field with HSETNX, `_` last: a field
// an update wrote meanwhile is newer than the snapshot and is kept, and a hash without `_` (only
// updates so far) is never mistaken for a complete one.
import type pg from 'pg';
import { KEY_PREFIX } from '../keys.js';
import type { RedisClient } from '../redis.js';

export interface UserReadModel {
  /** Author id → affinity. */
  authorAffinity: Map<string, number>;
  /** Item kind (proto ItemKind number) → preference. */
  kindAffinity: Map<number, number>;
  /** Topics by weight, heaviest first (ties by topic). */
  interests: Array<{ topic: string; weight: number }>;
  /** Followed pull authors, most followed first (ties by id). */
  pulledAuthors: string[];
}

export const USER_PRESENT_FIELD = '_';
export const userFields = {
  author: (authorId: string) => `a:${authorId}`,
  kind: (kind: number) => `k:${kind}`,
  topic: (topic: string) => `t:${topic}`,
  pulled: (authorId: string) => `p:${authorId}`,
} as const;

export function userReadModelKey(userId: string): string {
  if (userId.length === 0 || userId.includes('{') || userId.includes('}')) throw new Error(`invalid user id for a Redis key: ${JSON.stringify(userId)}`);
  return `${KEY_PREFIX}{u:${userId}}:rm`;
}

/** Parses an HGETALL reply; undefined when the hash is not complete (no `_`). */
export function parseUserReadModel(hash: Record<string, string>): UserReadModel | undefined {
  if (hash[USER_PRESENT_FIELD] === undefined) return undefined;
  const model: UserReadModel = { authorAffinity: new Map(), kindAffinity: new Map(), interests: [], pulledAuthors: [] };
  const pulled: Array<[string, number]> = [];
  for (const field in hash) {
    if (field.length < 3 || field.charCodeAt(1) !== 58 /* : */) continue;
    const value = Number(hash[field]);
    if (!Number.isFinite(value)) continue;
    const key = field.slice(2);
    switch (field[0]) {
      case 'a':
        model.authorAffinity.set(key, value);
        break;
      case 'k':
        model.kindAffinity.set(Number(key), value);
        break;
      case 't':
        if (value > 0) model.interests.push({ topic: key, weight: value });
        break;
      case 'p':
        pulled.push([key, value]);
        break;
    }
  }
  model.interests.sort((x, y) => y.weight - x.weight || (x.topic < y.topic ? -1 : x.topic > y.topic ? 1 : 0));
  pulled.sort((x, y) => y[1] - x[1] || (x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : 0));
  model.pulledAuthors = pulled.map(([author]) => author);
  return model;
}

/** The user's read model from Redis; undefined on a miss. */
export async function readUserReadModel(redis: RedisClient, userId: string): Promise<UserReadModel | undefined> {
  return parseUserReadModel(await redis.hgetall(userReadModelKey(userId)));
}

/** The hash fields of a model (without `_`). */
export function userReadModelFields(model: UserReadModel, followerCounts?: ReadonlyMap<string, number>): string[] {
  const args: string[] = [];
  for (const [author, score] of model.authorAffinity) args.push(userFields.author(author), String(score));
  for (const [kind, score] of model.kindAffinity) args.push(userFields.kind(kind), String(score));
  for (const { topic, weight } of model.interests) args.push(userFields.topic(topic), String(weight));
  model.pulledAuthors.forEach((author, i) => args.push(userFields.pulled(author), String(followerCounts?.get(author) ?? model.pulledAuthors.length - i)));
  return args;
}

const WRITE_SNAPSHOT = `
for i = 1, #ARGV, 2 do redis.call('HSETNX', KEYS[1], ARGV[i], ARGV[i + 1]) end
redis.call('HSET', KEYS[1], '${USER_PRESENT_FIELD}', '1')
return 0`;

/** Writes a snapshot loaded from Postgres without overwriting newer fields (see the file comment). */
export async function writeUserReadModelSnapshot(redis: RedisClient, userId: string, fields: readonly string[]): Promise<void> {
  await redis.eval(WRITE_SNAPSHOT, 1, userReadModelKey(userId), ...fields);
}

export interface UserReadModelLimits {
  /** Strongest author affinities kept. */
  maxAuthorAffinities: number;
  /** Heaviest topics kept. */
  maxTopics: number;
  /** Authors with more followers than this are pulled at read time (FANOUT_PULL_THRESHOLD). */
  pullThreshold: number;
  /** Most-followed pull authors kept. */
  maxPulledAuthors: number;
}

// One round trip, every part an index range scan on a (user_id, …) primary key. Part 0 says the
// user exists; without it there is no user. Values go as text: a `real` read as text is the
// number it was written as (0.1, not 0.10000000149), as ranking has always read it.
const USER_READ_MODEL_SQL = `
  SELECT 0 AS part, id AS key, '0' AS value FROM users WHERE id = $1
  UNION ALL
  (SELECT 1, author_id, score::text FROM user_author_affinity WHERE user_id = $1 ORDER BY score DESC, author_id LIMIT $2)
  UNION ALL
  SELECT 2, kind::text, score::text FROM user_kind_affinity WHERE user_id = $1
  UNION ALL
  (SELECT 3, topic, weight::text FROM user_interests WHERE user_id = $1 AND weight > 0 ORDER BY weight DESC, topic LIMIT $3)
  UNION ALL
  (SELECT 4, f.followee_id, u.follower_count::text FROM follows f JOIN users u ON u.id = f.followee_id
    WHERE f.follower_id = $1 AND u.follower_count > $4 ORDER BY u.follower_count DESC, f.followee_id LIMIT $5)`;

export interface LoadedUser {
  model: UserReadModel;
  /** The snapshot's hash fields (for writeUserReadModelSnapshot). */
  fields: string[];
}

/** The user's read model from Postgres; undefined when no such user exists. */
export async function loadUserReadModel(pool: pg.Pool, userId: string, limits: UserReadModelLimits): Promise<LoadedUser | undefined> {
  const { rows } = await pool.query<[number, string, string]>({
    name: 'user-read-model',
    text: USER_READ_MODEL_SQL,
    values: [userId, limits.maxAuthorAffinities, limits.maxTopics, limits.pullThreshold, limits.maxPulledAuthors],
    rowMode: 'array',
  });
  if (!rows.some(([part]) => part === 0)) return undefined;
  const model: UserReadModel = { authorAffinity: new Map(), kindAffinity: new Map(), interests: [], pulledAuthors: [] };
  const followerCounts = new Map<string, number>();
  for (const [part, key, text] of rows) {
    const value = Number(text);
    if (part === 1) model.authorAffinity.set(key, value);
    else if (part === 2) model.kindAffinity.set(Number(key), value);
    else if (part === 3) model.interests.push({ topic: key, weight: value });
    else if (part === 4) {
      model.pulledAuthors.push(key);
      followerCounts.set(key, value);
    }
  }
  return { model, fields: userReadModelFields(model, followerCounts) };
}
