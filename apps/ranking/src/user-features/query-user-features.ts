// Loads one user's ranking features in a single round trip: their strongest author affinities
// (bounded, so a heavy user cannot make a request slow) and all of their kind affinities
// (at most three rows). Both reads are index range scans on the (user_id, ...) primary keys.
import type { ItemKind } from '@feedmesh/contracts';
import type { UserFeatures } from '@feedmesh/feed-core';
import type pg from 'pg';

const AUTHOR = 1;
const KIND = 2;

const sql = `
  (SELECT ${AUTHOR} AS source, author_id AS key, score FROM user_author_affinity
    WHERE user_id = $1 ORDER BY score DESC, author_id LIMIT $2)
  UNION ALL
  (SELECT ${KIND}, kind::text, score FROM user_kind_affinity WHERE user_id = $1)`;

export async function queryUserFeatures(pool: pg.Pool, userId: string, maxAuthorRows: number): Promise<UserFeatures> {
  const result = await pool.query<[number, string, number]>({
    name: 'ranking-user-features',
    text: sql,
    values: [userId, maxAuthorRows],
    rowMode: 'array',
  });
  const authorAffinity = new Map<string, number>();
  const kindAffinity = new Map<ItemKind, number>();
  for (const [source, key, score] of result.rows) {
    if (source === AUTHOR) authorAffinity.set(key, score);
    else kindAffinity.set(Number(key) as ItemKind, score);
  }
  return { authorAffinity, kindAffinity };
}
