// The users table and the per-user feature tables (affinities, interests) as the read model
// loads them.
import type pg from 'pg';
import { userReadModelFields, type LoadedUser, type UserReadModel, type UserReadModelLimits } from '../read-model/user-read-model.js';

// One round trip, every part an index range scan on a (user_id, …) primary key. Part 0 says the
// user exists; without it there is no user. Values go as text: a `real` read as text is the
// number it was written as (0.1, not 0.10000000149), as ranking has always read it.
const READ_MODEL = `
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

export class UsersRepository {
  constructor(private readonly pool: pg.Pool) {}

  /** The user's read model from Postgres; undefined when no such user exists. */
  async readModel(userId: string, limits: UserReadModelLimits): Promise<LoadedUser | undefined> {
    const { rows } = await this.pool.query<[number, string, string]>({
      name: 'user-read-model',
      text: READ_MODEL,
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

  /** The first `limit` user ids in id order (a few users to warm a service up with). */
  async firstIds(limit: number): Promise<string[]> {
    const { rows } = await this.pool.query<{ id: string }>('select id from users order by id limit $1', [limit]);
    return rows.map((r) => r.id);
  }
}

