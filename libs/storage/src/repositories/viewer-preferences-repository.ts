// Blocks, mutes and "show less" marks: the rows in Postgres (user_blocks, user_mutes,
// user_show_less) and the hot copy in each viewer's preferences hash in Redis
// (viewer-state/viewer-preferences.ts). Every write goes to Postgres first, then to the hash; a
// failed hash write throws PreferencesHashWriteError after the commit, and since every write is
// idempotent, the caller's retry repairs the hash.
import type pg from 'pg';
import { KeyedPipeline } from '../keyed-pipeline.js';
import { redisKeys } from '../keys.js';
import type { RedisClient } from '../redis.js';
import { preferenceField, preferenceUntil, type PreferenceKind } from '../viewer-state/viewer-preferences.js';

export type ShowLessScopeName = 'item' | 'author' | 'topic';

export type PreferenceChange =
  | { outcome: 'done'; changed: boolean }
  /** The named user does not exist (nothing was written). */
  | { outcome: 'unknown-user'; field: string; userId: string };

export type ShowLessChange =
  | { outcome: 'done'; untilMs: number }
  | { outcome: 'unknown-user'; field: string; userId: string };

export interface ShowLessMark {
  userId: string;
  scope: ShowLessScopeName;
  /** The item id, author id or topic. */
  targetId: string;
  untilMs: number;
  /** Idempotency key; a repeat with the same key keeps the stored end. */
  requestId?: string;
}

/** The Postgres write committed; the Redis hash write after it failed (retry the call). */
export class PreferencesHashWriteError extends Error {
  constructor(cause: unknown) {
    super(`viewer preferences hash write failed: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    this.name = 'PreferencesHashWriteError';
  }
}

const SHOW_LESS_KIND: Record<ShowLessScopeName, PreferenceKind> = { item: 'less-item', author: 'less-author', topic: 'less-topic' };

// A repeat with the same request_id keeps the stored end; any other call renews it.
const UPSERT_SHOW_LESS = `
INSERT INTO user_show_less (user_id, scope, target_id, until, request_id)
VALUES ($1, $2, $3, to_timestamp($4::float8 / 1000), $5)
ON CONFLICT (user_id, scope, target_id) DO UPDATE
  SET until = CASE WHEN $5::text IS NOT NULL AND user_show_less.request_id = $5::text THEN user_show_less.until ELSE EXCLUDED.until END,
      request_id = EXCLUDED.request_id
RETURNING (extract(epoch FROM until) * 1000)::float8 AS until_ms`;

// UPSERT_SHOW_LESS for many marks in one statement: at most one per (user, scope, target), users
// that exist (an engagement batch's HIDEs, of stored events), in key order so concurrent batches
// lock rows in one order.
const UPSERT_SHOW_LESS_MANY = `
INSERT INTO user_show_less AS s (user_id, scope, target_id, until, request_id)
SELECT m.user_id, m.scope, m.target_id, to_timestamp(m.until_ms / 1000), m.request_id
FROM unnest($1::text[], $2::text[], $3::text[], $4::float8[], $5::text[]) AS m(user_id, scope, target_id, until_ms, request_id)
ORDER BY m.user_id, m.scope, m.target_id
ON CONFLICT (user_id, scope, target_id) DO UPDATE
  SET until = CASE WHEN EXCLUDED.request_id IS NOT NULL AND s.request_id = EXCLUDED.request_id THEN s.until ELSE EXCLUDED.until END,
      request_id = EXCLUDED.request_id
RETURNING user_id, scope, target_id, (extract(epoch FROM until) * 1000)::float8 AS until_ms`;

export class ViewerPreferencesRepository {
  constructor(
    private readonly pool: pg.Pool,
    private readonly redis: RedisClient,
  ) {}

  /** The first of `users` (field, id) that does not exist, or undefined. */
  private async missingUser(users: ReadonlyArray<readonly [string, string]>): Promise<{ field: string; userId: string } | undefined> {
    const { rows } = await this.pool.query<{ id: string }>('SELECT id FROM users WHERE id = ANY($1::text[])', [users.map(([, id]) => id)]);
    const found = new Set(rows.map((r) => r.id));
    const missing = users.find(([, id]) => !found.has(id));
    return missing && { field: missing[0], userId: missing[1] };
  }

  private async writeHash(work: () => Promise<unknown>): Promise<void> {
    try {
      await work();
    } catch (error) {
      throw new PreferencesHashWriteError(error);
    }
  }

  /** userId blocks targetUserId: the row, then `blocks:<target>` in the user's hash and `blocked-by:<user>` in the target's. */
  async block(userId: string, targetUserId: string): Promise<PreferenceChange> {
    const missing = await this.missingUser([['user_id', userId], ['target_user_id', targetUserId]]);
    if (missing) return { outcome: 'unknown-user', ...missing };
    const { rowCount } = await this.pool.query('INSERT INTO user_blocks (user_id, target_user_id) VALUES ($1, $2) ON CONFLICT DO NOTHING', [userId, targetUserId]);
    await this.writeHash(() =>
      Promise.all([
        this.redis.hset(redisKeys.viewerPreferences(userId), preferenceField('blocks', targetUserId), preferenceUntil(undefined)),
        this.redis.hset(redisKeys.viewerPreferences(targetUserId), preferenceField('blocked-by', userId), preferenceUntil(undefined)),
      ]),
    );
    return { outcome: 'done', changed: (rowCount ?? 0) > 0 };
  }

  /** Lifts userId's block of targetUserId (both hash fields of that side; a block the other way keeps its own). */
  async unblock(userId: string, targetUserId: string): Promise<PreferenceChange> {
    const missing = await this.missingUser([['user_id', userId], ['target_user_id', targetUserId]]);
    if (missing) return { outcome: 'unknown-user', ...missing };
    const { rowCount } = await this.pool.query('DELETE FROM user_blocks WHERE user_id = $1 AND target_user_id = $2', [userId, targetUserId]);
    await this.writeHash(() =>
      Promise.all([
        this.redis.hdel(redisKeys.viewerPreferences(userId), preferenceField('blocks', targetUserId)),
        this.redis.hdel(redisKeys.viewerPreferences(targetUserId), preferenceField('blocked-by', userId)),
      ]),
    );
    return { outcome: 'done', changed: (rowCount ?? 0) > 0 };
  }

  /** userId mutes authorId until untilMs (undefined: no end); changed is false when the same mute existed. */
  async mute(userId: string, authorId: string, untilMs: number | undefined): Promise<PreferenceChange> {
    const missing = await this.missingUser([['user_id', userId], ['author_id', authorId]]);
    if (missing) return { outcome: 'unknown-user', ...missing };
    const { rowCount } = await this.pool.query(
      `INSERT INTO user_mutes (user_id, author_id, until) VALUES ($1, $2, to_timestamp($3::float8 / 1000))
       ON CONFLICT (user_id, author_id) DO UPDATE SET until = EXCLUDED.until
       WHERE user_mutes.until IS DISTINCT FROM EXCLUDED.until`,
      [userId, authorId, untilMs ?? null],
    );
    await this.writeHash(() => this.redis.hset(redisKeys.viewerPreferences(userId), preferenceField('mute', authorId), preferenceUntil(untilMs)));
    return { outcome: 'done', changed: (rowCount ?? 0) > 0 };
  }

  async unmute(userId: string, authorId: string): Promise<PreferenceChange> {
    const missing = await this.missingUser([['user_id', userId], ['author_id', authorId]]);
    if (missing) return { outcome: 'unknown-user', ...missing };
    const { rowCount } = await this.pool.query('DELETE FROM user_mutes WHERE user_id = $1 AND author_id = $2', [userId, authorId]);
    await this.writeHash(() => this.redis.hdel(redisKeys.viewerPreferences(userId), preferenceField('mute', authorId)));
    return { outcome: 'done', changed: (rowCount ?? 0) > 0 };
  }

  /**
   * Stores (or renews) many "show less" marks of existing users, one per (user, scope, target):
   * one statement, then the hash fields in per-key pipelines. A batch of HIDEs used to be a
   * statement and an HSET per mark, most of an engagement batch's time when hides were common.
   */
  async showLessMany(marks: readonly ShowLessMark[]): Promise<void> {
    if (marks.length === 0) return;
    const { rows } = await this.pool.query<{ user_id: string; scope: ShowLessScopeName; target_id: string; until_ms: number }>(UPSERT_SHOW_LESS_MANY, [
      marks.map((m) => m.userId),
      marks.map((m) => m.scope),
      marks.map((m) => m.targetId),
      marks.map((m) => m.untilMs),
      marks.map((m) => m.requestId || null),
    ]);
    const fields = new Map<string, string[]>();
    for (const row of rows) {
      const key = redisKeys.viewerPreferences(row.user_id);
      let list = fields.get(key);
      if (!list) fields.set(key, (list = []));
      list.push(preferenceField(SHOW_LESS_KIND[row.scope], row.target_id), preferenceUntil(Math.round(row.until_ms)));
    }
    const batch = new KeyedPipeline(this.redis);
    for (const [key, list] of fields) batch.add(key, (p) => p.hset(key, ...list));
    await this.writeHash(() => batch.exec());
  }

  /** Stores (or renews) a "show less" mark and returns its end. */
  async showLess(mark: ShowLessMark): Promise<ShowLessChange> {
    const missing = await this.missingUser([['user_id', mark.userId]]);
    if (missing) return { outcome: 'unknown-user', ...missing };
    const { rows } = await this.pool.query<{ until_ms: number }>(UPSERT_SHOW_LESS, [mark.userId, mark.scope, mark.targetId, mark.untilMs, mark.requestId || null]);
    const untilMs = Math.round(rows[0]!.until_ms);
    await this.writeHash(() => this.redis.hset(redisKeys.viewerPreferences(mark.userId), preferenceField(SHOW_LESS_KIND[mark.scope], mark.targetId), preferenceUntil(untilMs)));
    return { outcome: 'done', untilMs };
  }
}
