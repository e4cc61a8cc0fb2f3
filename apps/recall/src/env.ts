import { storageEnvSpec } from '@feedmesh/storage';
import { makeValidator, num, type ValidatorSpec } from 'envalid';

const ms = (defaultMs: number, desc: string) => num({ default: defaultMs, desc });
const count = (defaultCount: number, desc: string) => num({ default: defaultCount, desc });

/** Recall's configuration; every per-source knob is named RECALL_<SOURCE>_*. */
export const recallEnvSpec = {
  ...storageEnvSpec,
  PG_STATEMENT_TIMEOUT_MS: ms(1_000, 'Server-side cap on any recall query'),

  RECALL_FOLLOWING_TIMEOUT_MS: ms(80, 'Timeout of the "following" source'),
  RECALL_FOLLOWING_QUOTA: count(500, 'Candidates the "following" source may return'),
  RECALL_TRENDING_TIMEOUT_MS: ms(60, 'Timeout of the "trending" source'),
  RECALL_TRENDING_QUOTA: count(300, 'Candidates the "trending" source may return (split across kinds)'),
  RECALL_INTEREST_TIMEOUT_MS: ms(80, 'Timeout of the "interest" source'),
  RECALL_INTEREST_QUOTA: count(300, 'Candidates the "interest" source may return'),
  RECALL_FRESH_TIMEOUT_MS: ms(60, 'Timeout of the "fresh" source'),
  RECALL_FRESH_QUOTA: count(100, 'Candidates the "fresh" source may return'),

  RECALL_INACTIVE_AFTER_DAYS: num({
    default: 30,
    desc: 'A home timeline expires this long after its user last read it, and the fan-out skips users without one; their next read rebuilds it from their follows',
  }),
  RECALL_REBUILD_AUTHORS_MAX: count(200, 'Followed authors a home-timeline rebuild reads, most recently followed first'),
  RECALL_REBUILD_PER_AUTHOR: count(50, "Entries a home-timeline rebuild reads from each followed author's recent zset"),
  RECALL_PULL_AUTHORS_MAX: count(100, 'Pulled authors read per request, most followed first'),
  RECALL_PULL_PER_AUTHOR: count(50, 'Entries read from each pulled author\'s recent zset'),
  RECALL_INTEREST_TOPICS: count(5, 'Heaviest user topics the "interest" source reads'),
  RECALL_SHARED_SOURCES_TTL_MS: ms(
    1_000,
    'How long one answer of the user-independent reads (the "trending" and "fresh" sources, each topic\'s and each pulled author\'s recent items with their records) serves every request; 0 reads them per request',
  ),
  RECALL_SHARED_ZSETS_MAX_KEYS: count(5_000, 'Topic and pulled-author zsets held by the shared cache (least recently used go first)'),
  RECALL_ITEM_RECORD_TTL_MS: ms(
    5_000,
    'How long an item record (counters, status) read from Redis serves recall from memory; 0 keeps none. Counters are ranking features; a deleted item still leaves pages at once (render drops it)',
  ),
  RECALL_ITEM_RECORD_CACHE_MAX: count(200_000, 'Item records held in memory (least recently used go first)'),
  RECALL_HYDRATE_TIMEOUT_MS: ms(100, 'Timeout of the item-record hydration (Redis, Postgres on a miss); on timeout candidates go out without counters'),
};

const sourceDelay = (source: string) => ms(0, `Extra latency before the "${source}" source runs (chaos and deadline tests)`);

/** Fault injection for tests, outside the production spec: honoured only with TEST_HOOKS_SWITCH set to "enable". */
export const recallTestHooksSpec = {
  RECALL_SOURCE_DELAY_MS_FOLLOWING: sourceDelay('following'),
  RECALL_SOURCE_DELAY_MS_TRENDING: sourceDelay('trending'),
  RECALL_SOURCE_DELAY_MS_INTEREST: sourceDelay('interest'),
  RECALL_SOURCE_DELAY_MS_FRESH: sourceDelay('fresh'),
};

/** The variable that lets a process honour its test hooks; anything but "enable" leaves every hook at its default. */
export const TEST_HOOKS_SWITCH = 'FEEDMESH_TEST_HOOKS';

/** Each hook as given when the switch is on; otherwise pinned to its default, whatever the variable says. */
export function gatedTestHooks<S extends Record<string, ValidatorSpec<number>>>(spec: S, env: NodeJS.ProcessEnv = process.env): S {
  if (env[TEST_HOOKS_SWITCH] === 'enable') return spec;
  const pinned = (hook: ValidatorSpec<number>) => makeValidator<number>(() => hook.default as number)({ default: hook.default as number, desc: hook.desc });
  return Object.fromEntries(Object.entries(spec).map(([name, hook]) => [name, pinned(hook)])) as unknown as S;
}

/** What the app parses: the production settings plus the (gated) test hooks. */
export const recallAppEnvSpec = { ...recallEnvSpec, ...gatedTestHooks(recallTestHooksSpec) };
