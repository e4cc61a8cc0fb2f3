import { TIMELINE_MAX_LENGTH, type UserReadModelLimits } from '@feedmesh/storage';

/** What to generate (pure data shape; the same values always give the same rows). */
export interface DatasetOptions {
  users: number;
  items: number;
  seed: number;
  days: number;
  /** Anchor of "now" in Unix ms: items fall in [now - days, now). Fix it for reproducible rows. */
  nowMs: number;
}

export interface SeedOptions extends DatasetOptions {
  databaseUrl: string;
  redisUrl: string;
  /** Do nothing when the users table already has rows. */
  ifEmpty: boolean;
  /** Truncate the tables first, and replace Redis keys bound to another database (a seed always replaces its own). */
  reset: boolean;
  /** Entries written per home timeline; at most TIMELINE_MAX_LENGTH. */
  timelineLength: number;
  /** What each user's read-model hash keeps (default storage's USER_READ_MODEL_LIMITS, as the readers). */
  readModelLimits?: UserReadModelLimits;
  /** Progress lines; silent when omitted. */
  log?: (line: string) => void;
}

export const DEFAULT_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/feedmesh';
export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';

export function defaultSeedOptions(env: NodeJS.ProcessEnv = process.env): SeedOptions {
  return {
    users: 2_000,
    items: 20_000,
    seed: 42,
    days: 3,
    // Whole minutes, so two runs in the same minute produce identical rows.
    nowMs: Math.floor(Date.now() / 60_000) * 60_000,
    databaseUrl: env.DATABASE_URL || DEFAULT_DATABASE_URL,
    redisUrl: env.REDIS_URL || DEFAULT_REDIS_URL,
    ifEmpty: false,
    reset: false,
    timelineLength: TIMELINE_MAX_LENGTH,
  };
}

export function validateDatasetOptions(options: DatasetOptions): void {
  const positiveInt = (name: string, value: number) => {
    if (!Number.isSafeInteger(value) || value < 1) throw new Error(`${name} must be a positive integer`);
  };
  positiveInt('users', options.users);
  positiveInt('items', options.items);
  positiveInt('days', options.days);
  if (!Number.isSafeInteger(options.seed)) throw new Error('seed must be an integer');
  if (options.users < 10) throw new Error('users must be at least 10 (a follow graph needs authors)');
}
