import { propertyNames, type PropertyName } from './judge.js';

export interface FuzzSettings {
  /** Cases per public RPC, spread over its protocols (FUZZ_RUNS, default 2,000). */
  readonly runsPerRpc: number;
  /** Cases per internal RPC (FUZZ_INTERNAL_RUNS, default a quarter of FUZZ_RUNS). */
  readonly runsPerInternalRpc: number;
  /** Requests in flight per protocol run (FUZZ_CONCURRENCY, default 3). */
  readonly concurrency: number;
  /** FUZZ_SEED replays a run; the default changes every run and is printed with any failure. */
  readonly seed: number;
  /** FUZZ_PROPERTIES=no-internal,answers checks only those (to look past one known failure). */
  readonly properties: ReadonlySet<PropertyName>;
  /** FUZZ_LOG=/tmp/fuzz.log appends every case and answer there. */
  readonly logFile: string | undefined;
}

export function fuzzSettings(env: NodeJS.ProcessEnv = process.env): FuzzSettings {
  const int = (name: string, fallback: number) => {
    const value = env[name] ? Number(env[name]) : fallback;
    if (!Number.isInteger(value) || value < 1) throw new Error(`${name} must be a positive integer, not "${env[name]}"`);
    return value;
  };
  const runsPerRpc = int('FUZZ_RUNS', 2_000);
  const properties = env.FUZZ_PROPERTIES ? env.FUZZ_PROPERTIES.split(',').map((p) => p.trim()) : [...propertyNames];
  const unknown = properties.filter((p) => !(propertyNames as readonly string[]).includes(p));
  if (unknown.length) throw new Error(`FUZZ_PROPERTIES: unknown ${unknown.join(', ')} (known: ${propertyNames.join(', ')})`);
  return {
    runsPerRpc,
    runsPerInternalRpc: int('FUZZ_INTERNAL_RUNS', Math.max(1, Math.ceil(runsPerRpc / 4))),
    concurrency: int('FUZZ_CONCURRENCY', 3),
    seed: int('FUZZ_SEED', Date.now() % 2 ** 31),
    properties: new Set(properties as PropertyName[]),
    logFile: env.FUZZ_LOG || undefined,
  };
}
