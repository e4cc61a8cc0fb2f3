import { parseArgs } from 'node:util';
import { defaultSeedOptions, type SeedOptions } from './seed-options.js';

export const SEED_USAGE = `Usage: npm run seed -- [options]
  --users N          users to generate (default 2000)
  --items N          items to generate (default 20000)
  --seed S           PRNG seed; same seed, same data (default 42)
  --days D           items spread over the last D days (default 3)
  --database-url U   default $DATABASE_URL or postgres://postgres@127.0.0.1:5432/feedmesh
  --redis-url U      default $REDIS_URL or redis://127.0.0.1:6379
  --timeline-length N  entries per home timeline (default and maximum TIMELINE_MAX_LENGTH)
  --if-empty         do nothing when the users table has rows
  --reset            truncate the tables first; also replace Redis keys another database's
                     data set holds (refused without it; the seed always replaces its own)
  --help
Redis keys (zsets and the read model) are named with $REDIS_KEY_PREFIX (default fm:).`;

function integer(name: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined) return fallback;
  if (!/^-?\d+$/.test(raw)) throw new Error(`--${name} must be an integer, got ${JSON.stringify(raw)}`);
  return Number(raw);
}

/** Parses CLI flags into seed options; throws with a readable message on bad input. */
export function parseSeedArgs(argv: string[], env: NodeJS.ProcessEnv = process.env): SeedOptions & { help: boolean } {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      users: { type: 'string' },
      items: { type: 'string' },
      seed: { type: 'string' },
      days: { type: 'string' },
      'database-url': { type: 'string' },
      'redis-url': { type: 'string' },
      'timeline-length': { type: 'string' },
      'if-empty': { type: 'boolean', default: false },
      reset: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  const defaults = defaultSeedOptions(env);
  return {
    ...defaults,
    users: integer('users', values.users, defaults.users),
    items: integer('items', values.items, defaults.items),
    seed: integer('seed', values.seed, defaults.seed),
    days: integer('days', values.days, defaults.days),
    timelineLength: integer('timeline-length', values['timeline-length'], defaults.timelineLength),
    databaseUrl: values['database-url'] ?? defaults.databaseUrl,
    redisUrl: values['redis-url'] ?? defaults.redisUrl,
    ifEmpty: values['if-empty'],
    reset: values.reset,
    help: values.help,
  };
}
