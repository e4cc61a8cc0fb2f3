import { randomBytes } from 'node:crypto';
import { timestampFromMs } from '@bufbuild/protobuf/wkt';
import type { Client } from '@connectrpc/connect';
import { EngagementType, IngestService, ItemKind } from '@feedmesh/contracts';
import { encodeTimelineMember, redisKeys, type RedisClient } from '@feedmesh/storage';
import { Redis } from 'ioredis';
import type pg from 'pg';
import type { Call } from './call-record.js';
import { now, sleep } from './clock.js';

interface EngagementKey {
  userId: string;
  itemId: string;
  type: number;
  occurredAtMs: number;
}

/**
 * Every write ingest acknowledged, to count against the tables afterwards. A call that failed
 * is not in the ledger (it may or may not have been stored: either is allowed).
 */
export class WriteLedger {
  readonly publishes: { requestId: string; authorId: string; itemId: string }[] = [];
  readonly engagements: EngagementKey[] = [];
  private readonly run = randomBytes(3).toString('hex');
  private sequence = 0;
  private readonly baseMs = Date.now() - 60_000;

  /** Publish of a new article by one of `authors`, each with a request id of its own. */
  publishCall(ingest: Client<typeof IngestService>, authors: readonly string[], timeoutMs = 5_000): Call {
    return async () => {
      const requestId = `faults-${this.run}-${this.sequence++}`;
      const authorId = authors[this.sequence % authors.length]!;
      const { itemId } = await ingest.publish({ requestId, authorId, payload: { case: 'article', value: { title: `Fault ${requestId}`, body: 'body' } } }, { timeoutMs });
      this.publishes.push({ requestId, authorId, itemId });
    };
  }

  /** A batch of `size` VIEW events of seeded users on seeded items, each (user, item, type, time) new. */
  engagementCall(ingest: Client<typeof IngestService>, users: readonly string[], itemIds: readonly string[], size = 5, timeoutMs = 5_000): Call {
    return async () => {
      const keys: EngagementKey[] = Array.from({ length: size }, () => {
        const n = this.sequence++;
        return { userId: users[n % users.length]!, itemId: itemIds[n % itemIds.length]!, type: EngagementType.VIEW, occurredAtMs: this.baseMs + n };
      });
      const response = await ingest.recordEngagement(
        { events: keys.map((k) => ({ userId: k.userId, itemId: k.itemId, type: k.type, occurredAt: timestampFromMs(k.occurredAtMs), dwellMs: 1000 })) },
        { timeoutMs },
      );
      const rejected = new Set(response.errors.map((e) => e.index));
      this.engagements.push(...keys.filter((_, i) => !rejected.has(i)));
    };
  }

  /** Acknowledged publishes with no items row. */
  async missingPublishes(pool: pg.Pool): Promise<string[]> {
    const ids = this.publishes.map((p) => p.requestId);
    const { rows } = await pool.query<{ request_id: string }>('SELECT request_id FROM items WHERE request_id = ANY($1::text[])', [ids]);
    const found = new Set(rows.map((r) => r.request_id));
    return ids.filter((id) => !found.has(id));
  }

  /** Acknowledged engagement records with no engagement_events row. */
  async missingEngagements(pool: pg.Pool): Promise<number> {
    const { rows } = await pool.query<{ n: string }>(
      `SELECT count(*) AS n FROM unnest($1::text[], $2::uuid[], $3::smallint[], $4::bigint[]) AS k(user_id, item_id, type, at_ms)
       WHERE NOT EXISTS (SELECT 1 FROM engagement_events e WHERE e.user_id = k.user_id AND e.item_id = k.item_id AND e.type = k.type
                         AND e.occurred_at = timestamptz 'epoch' + k.at_ms * interval '1 millisecond')`,
      [this.engagements.map((e) => e.userId), this.engagements.map((e) => e.itemId), this.engagements.map((e) => e.type), this.engagements.map((e) => e.occurredAtMs)],
    );
    return Number(rows[0]!.n);
  }

  /**
   * Waits until every acknowledged publish is in its author's recent-items zset (what the outbox's
   * fan-out writes), at most `timeoutMs`; resolves with the request ids still missing and how long it took.
   */
  async waitForOutbox(redisUrlOrClient: string | RedisClient, timeoutMs: number): Promise<{ missing: string[]; tookMs: number }> {
    // A client passed in (a Cluster's, say) stays the caller's to close.
    const redis = typeof redisUrlOrClient === 'string' ? new Redis(redisUrlOrClient) : redisUrlOrClient;
    const started = now();
    try {
      let left = this.publishes;
      for (;;) {
        const still: typeof left = [];
        for (const p of left) {
          const member = encodeTimelineMember({ id: p.itemId, kind: ItemKind.ARTICLE, authorId: p.authorId });
          if ((await redis.zscore(redisKeys.authorRecent(p.authorId), member)) === null) still.push(p);
        }
        left = still;
        if (left.length === 0 || now() - started > timeoutMs) return { missing: left.map((p) => p.requestId), tookMs: now() - started };
        await sleep(250);
      }
    } finally {
      if (typeof redisUrlOrClient === 'string') redis.disconnect();
    }
  }
}
