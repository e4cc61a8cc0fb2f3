import { createRequire } from 'node:module';
import path from 'node:path';

/** One variable an app reads, from the validated env specs it parses at start. */
export interface EnvVariable {
  name: string;
  /** The spec's default as text; undefined when the variable has none (required or optional). */
  defaultValue: string | undefined;
  /** The spec has a `default` key, i.e. the app starts without the variable. */
  optional: boolean;
}

interface Validator {
  default?: unknown;
}

export const repoRoot = path.resolve(import.meta.dirname, '..', '..', '..');
const requireFromRoot = createRequire(path.join(repoRoot, 'package.json'));

function entries(spec: Record<string, Validator>): EnvVariable[] {
  return Object.entries(spec).map(([name, validator]) => ({
    name,
    defaultValue: validator.default === undefined ? undefined : String(validator.default),
    optional: 'default' in validator,
  }));
}

/**
 * Every variable `apps/<app>` reads: its own spec (from the built dist/app.js, as the README's
 * env docs do), the kit's, storage's shared layout and telemetry's; test hooks are left out (they
 * are ignored unless FEEDMESH_TEST_HOOKS=enable). `ingest-worker` reads the ingest spec.
 */
export function envVariablesOf(app: string): EnvVariable[] {
  const dir = app === 'ingest-worker' ? 'ingest' : app;
  const appModule = requireFromRoot(path.join(repoRoot, 'apps', dir, 'dist', 'app.js')) as Record<string, unknown>;
  const definition = Object.values(appModule).find((value): value is { env: Record<string, Validator> } => !!value && typeof value === 'object' && 'defaultPort' in value && 'env' in value);
  if (!definition) throw new Error(`apps/${dir}/dist/app.js exports no app definition: build the apps first`);
  const envModule = requireFromRoot(path.join(repoRoot, 'apps', dir, 'dist', 'env.js')) as Record<string, Record<string, Validator>>;
  const hooks = new Set(Object.entries(envModule).filter(([name]) => name.endsWith('TestHooksSpec')).flatMap(([, spec]) => Object.keys(spec)));
  const kit = requireFromRoot('@feedmesh/service-kit') as { kitEnvSpec: Record<string, Validator> };
  const storage = requireFromRoot('@feedmesh/storage') as { sharedDataEnvSpec: Record<string, Validator> };
  const telemetry = requireFromRoot('@feedmesh/telemetry') as { telemetryEnvSpec: Record<string, Validator> };
  const all = new Map<string, EnvVariable>();
  for (const spec of [kit.kitEnvSpec, storage.sharedDataEnvSpec, telemetry.telemetryEnvSpec, definition.env]) {
    for (const variable of entries(spec)) if (!hooks.has(variable.name)) all.set(variable.name, variable);
  }
  return [...all.values()];
}

/** The shared data layout: every process on one Redis needs the same values, so one ConfigMap holds them. */
export function sharedDataVariables(): EnvVariable[] {
  const storage = requireFromRoot('@feedmesh/storage') as { sharedDataEnvSpec: Record<string, Validator> };
  return entries(storage.sharedDataEnvSpec);
}

/**
 * Validates `env` as `app` would at start (the kit's loadConfig over its spec): throws the app's
 * own ConfigError naming every bad variable, e.g. a choice the spec does not have.
 */
export function checkAppEnv(app: string, env: Record<string, string>): void {
  const dir = app === 'ingest-worker' ? 'ingest' : app;
  const appModule = requireFromRoot(path.join(repoRoot, 'apps', dir, 'dist', 'app.js')) as Record<string, unknown>;
  const definition = Object.values(appModule).find((value): value is { env: Record<string, Validator>; defaultPort: number } => !!value && typeof value === 'object' && 'defaultPort' in value && 'env' in value);
  const kit = requireFromRoot('@feedmesh/service-kit') as { loadConfig(spec: unknown, port: number, env: Record<string, string>): unknown };
  kit.loadConfig(definition!.env, definition!.defaultPort, env);
}
