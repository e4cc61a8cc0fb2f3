// Builds cache entries for ids that missed the cache: one Postgres batch read, one template per
// card, then a write-back to both cache layers (cards with their kind's TTL, missing ids
// negatively with a short TTL).
import { ItemStatus, MissingReason } from '@feedmesh/contracts';
import type { ItemsRepository } from '@feedmesh/storage';
import type { CardCache } from './cache/card-cache.js';
import type { CardEntry } from './cache/card-entry.js';
import type { CacheWrite } from './cache/rendered-card-cache.js';
import { renderCard } from './templates/card-templates.js';

export interface CardTtls {
  cardMs: number;
  /** For volatile cards (live). */
  volatileCardMs: number;
  /** For ids that do not exist or are deleted. */
  missingMs: number;
}

export class CardLoader {
  constructor(
    private readonly items: Pick<ItemsRepository, 'byIds'>,
    private readonly cache: CardCache,
    private readonly ttls: CardTtls,
  ) {}

  /** An entry for every id. Rejects only when Postgres fails; the Redis write is not awaited. */
  async load(ids: readonly string[]): Promise<Map<string, CardEntry>> {
    // Taken before the read: an invalidation during it keeps these rows out of memory.
    const mark = this.cache.mark();
    const rows = await this.items.byIds(ids);
    const writes: CacheWrite[] = [];
    for (const id of ids) {
      const row = rows.get(id);
      if (row === undefined || row.status === ItemStatus.DELETED) {
        const entry: CardEntry = { type: 'missing', reason: row ? MissingReason.DELETED : MissingReason.NOT_FOUND, expiresAtMs: 0 };
        writes.push({ id, entry, ttlMs: this.ttls.missingMs });
        continue;
      }
      const { item, volatile } = renderCard(row);
      const entry: CardEntry = { type: 'card', item, expiresAtMs: 0 };
      writes.push({ id, entry, ttlMs: volatile ? this.ttls.volatileCardMs : this.ttls.cardMs });
    }
    return this.cache.setMany(writes, mark);
  }
}
