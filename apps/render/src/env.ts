import { storageEnvSpec } from '@feedmesh/storage';
import { num } from 'envalid';

export const renderEnvSpec = {
  ...storageEnvSpec,
  PG_STATEMENT_TIMEOUT_MS: num({ default: 1_000, desc: 'Server-side cap on the batch item read' }),
  REDIS_COMMAND_TIMEOUT_MS: num({ default: 100, desc: 'Per-command Redis deadline' }),
  RENDER_CARD_TTL_MS: num({ default: 300_000, desc: 'Cache lifetime of a rendered article or video card' }),
  RENDER_LIVE_CARD_TTL_MS: num({ default: 15_000, desc: 'Cache lifetime of a live card (its viewer count moves fast)' }),
  RENDER_NEGATIVE_TTL_MS: num({ default: 30_000, desc: 'Cache lifetime of "not found" / "deleted" answers' }),
  RENDER_TTL_JITTER: num({ default: 0.1, desc: 'Relative TTL jitter (0.1 = ±10 %) so entries written together expire apart' }),
  RENDER_EARLY_REFRESH_MS: num({ default: 10_000, desc: 'XFetch window: entries are refreshed early with probability exp(-ttlLeft / window); 0 disables' }),
  RENDER_CACHE_READ_TIMEOUT_MS: num({ default: 25, desc: 'A cache read slower than this counts as misses (served from Postgres)' }),
  RENDER_MEMORY_CACHE_MAX: num({ default: 10_000, desc: 'Entries of the in-process card cache in front of Redis; 0 disables it' }),
  RENDER_MEMORY_CACHE_MAX_BYTES: num({ default: 16 * 1024 * 1024, desc: 'Bytes of the in-process card cache, counted as encoded card size' }),
  RENDER_MEMORY_CACHE_TTL_MS: num({
    default: 3_000,
    desc: 'In-process lifetime of an article/video card or missing answer (never past its Redis expiry); bounds staleness when Redis cannot report changes; 0 disables the memory cache',
  }),
  RENDER_MEMORY_LIVE_CARD_TTL_MS: num({ default: 1_000, desc: 'In-process lifetime of a live card' }),
};
