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

/** Whether Redis holds the user's complete hash (one HEXISTS of `_`): the user exists. */
export async function userReadModelPresent(redis: RedisClient, userId: string): Promise<boolean> {
  return (await redis.hexists(userReadModelKey(userId), USER_PRESENT_FIELD)) === 1;
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

export interface LoadedUser {
  model: UserReadModel;
  /** The snapshot's hash fields (for writeUserReadModelSnapshot). */
  fields: string[];
}
