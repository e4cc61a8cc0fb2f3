import { defaultBudgetPolicy } from '@feedmesh/feed-core';
import { DEFAULT_RECALL_LIMIT, storageEnvSpec } from '@feedmesh/storage';
import { num, str } from 'envalid';

/** The aggregator's configuration (the kit adds PORT, HOST, LOG_LEVEL, MAX_DEADLINE_MS...). */
export const aggregatorEnvSpec = {
  ...storageEnvSpec,
  SEEN_ITEMS: str<'demote' | 'drop'>({
    choices: ['demote', 'drop'],
    default: 'demote',
    desc: 'What a fresh ranking of the for-you feed does with items the viewer already saw (VIEW, within ingest\'s SEEN_TTL_HOURS): demote puts them behind the unseen ones, drop removes them (keeping at least one page)',
  }),
  RECALL_ADDR: str({ default: '127.0.0.1:8081', desc: 'host:port of recall' }),
  RANKING_ADDR: str({ default: '127.0.0.1:8082', desc: 'host:port of ranking' }),
  RENDER_ADDR: str({ default: '127.0.0.1:8083', desc: 'host:port of render' }),
  NODE_ENV: str({ default: '', desc: '"production": CURSOR_SECRETS is required and debug output is for service callers unless FEED_DEBUG says otherwise' }),
  CURSOR_SECRETS: str({
    default: '',
    desc: 'Comma-separated cursor HMAC secrets (>= 16 bytes each); the first signs, all verify. Required in production; elsewhere unset means a random key per process start',
  }),
  // Debug output spells out the model's weights. envalid's devDefault applies only when NODE_ENV
  // names a non-production mode, so an unset NODE_ENV gets the production default: service callers.
  FEED_DEBUG: str({ choices: ['allow', 'service', 'deny'], default: 'service', devDefault: 'allow', desc: 'Who gets debug output and ExplainFeedItem: everyone (allow), callers with a service token (service), nobody (deny); others get PermissionDenied naming debug' }),
  FEED_DEFAULT_BUDGET_MS: num({ default: defaultBudgetPolicy.defaultTotalMs, desc: 'Total time budget of a page when the caller sets no deadline' }),
  FEED_RECALL_LIMIT: num({ default: DEFAULT_RECALL_LIMIT, desc: 'Candidates asked of recall per page (default: what recall returns for limit 0)' }),
  FEED_RANK_WINDOW: num({ default: 200, desc: 'Ranked entries a fresh ranking keeps for the session\'s later pages (at least a page and its top-up reserve)' }),
  FEED_MAX_PAGES: num({ default: 50, desc: 'Pages per paging session; the last one has no next cursor' }),
  FEED_SESSION_TTL_S: num({ default: 1800, desc: 'Idle lifetime of a paging session in Redis' }),
  USER_CACHE_TTL_MS: num({ default: 60_000, desc: 'How long a known user id is trusted without Postgres' }),
  BREAKER_ERROR_PERCENT: num({ default: 50, desc: 'Failure rate that opens a downstream circuit' }),
  BREAKER_VOLUME_THRESHOLD: num({ default: 5, desc: 'Calls in the window before the circuit may open' }),
  // One trial call per period is all an open circuit costs, so a short period is cheap; it bounds
  // how long a dependency that is ready again stays unused (with the channels' 500 ms reconnect cap).
  BREAKER_RESET_MS: num({ default: 500, desc: 'How long an open circuit waits before a trial call' }),
};
