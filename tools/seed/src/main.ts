import { KEY_PREFIX } from '@feedmesh/storage';
import { parseSeedArgs, SEED_USAGE } from './cli-args.js';
import { seed } from './seed.js';

async function main(): Promise<void> {
  const { help, ...options } = parseSeedArgs(process.argv.slice(2));
  if (help) {
    console.log(SEED_USAGE);
    return;
  }
  const started = performance.now();
  const log = (line: string) => console.log(`[seed +${((performance.now() - started) / 1000).toFixed(1)}s] ${line}`);
  log(`users=${options.users} items=${options.items} seed=${options.seed} days=${options.days} db=${options.databaseUrl} redis=${options.redisUrl} prefix=${KEY_PREFIX}`);
  await seed({ ...options, log });
  log(`peak RSS ${Math.round(process.resourceUsage().maxRSS / 1024)} MB`);
}

main().catch((error: unknown) => {
  console.error(`seed failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
