#!/usr/bin/env node
// The "Configuration" section of each app's README, generated from the validated env specs the
// app parses (its own, the service kit's, storage's, telemetry's) and its test hooks, so the lists
// cannot drift from the code. Needs the apps built (`npx nx run-many -t build --projects=tag:app`).
//
//   node tools/dev/env-docs.mjs            rewrite the sections between the markers
//   node tools/dev/env-docs.mjs --check    exit 1 naming every README whose section is stale
//   --root DIR                             read/write DIR/apps/<app>/README.md (tests)
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const require = createRequire(path.join(repoRoot, 'package.json'));

export const APPS = ['aggregator', 'ingest', 'ranking', 'recall', 'render'];
export const BEGIN = '<!-- env-docs:begin -->';
export const END = '<!-- env-docs:end -->';

const envalid = require('envalid');
const builtinTypes = new Map(['str', 'num', 'bool', 'port', 'url', 'host', 'email', 'json'].map((name) => [envalid[name]()._parse, name]));
const typeNames = { str: 'string', num: 'number', bool: 'boolean', port: 'port', url: 'URL', host: 'host', email: 'email', json: 'JSON' };

function typeOf(validator) {
  const builtin = builtinTypes.get(validator._parse);
  // A custom validator names its type by its parse function (function positiveInteger(...)).
  const name = builtin ? typeNames[builtin] : validator._parse.name.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase() || typeof validator.default;
  return validator.choices ? `${name}: ${validator.choices.map((c) => `\`${c}\``).join(' / ')}` : name;
}

/** Defaults computed on the machine (a host name, a path in the checkout) are shown as what they mean. */
function defaultOf(validator, appDir) {
  const value = validator.default;
  if (value === undefined) return 'default' in validator ? 'unset' : 'required';
  if (value === os.hostname()) return 'the host name';
  if (value === '') return '(empty)';
  const shown = typeof value === 'string' && path.isAbsolute(value) && value.startsWith(appDir + path.sep) ? path.relative(appDir, value) : String(value);
  const dev = validator.devDefault !== undefined && validator.devDefault !== value ? `; \`${validator.devDefault}\` when NODE_ENV is set but not production` : '';
  return `\`${shown}\`${dev}`;
}

const cell = (text) => String(text ?? '').replace(/\|/g, '\\|').replace(/\n/g, ' ');

function table(entries, appDir) {
  const rows = entries.map(([name, v]) => `| \`${name}\` | ${cell(typeOf(v))} | ${cell(defaultOf(v, appDir))} | ${cell(v.desc)} |`);
  return ['| Variable | Type | Default | Description |', '| --- | --- | --- | --- |', ...rows].join('\n');
}

function loadApp(app) {
  const appDir = path.join(repoRoot, 'apps', app);
  const appModule = require(path.join(appDir, 'dist', 'app.js'));
  const definition = Object.values(appModule).find((value) => value && typeof value === 'object' && 'defaultPort' in value && 'env' in value);
  if (!definition) throw new Error(`${app}: dist/app.js exports no app definition (name, defaultPort, env)`);
  const envModule = require(path.join(appDir, 'dist', 'env.js'));
  const hooks = Object.assign({}, ...Object.entries(envModule).filter(([name]) => name.endsWith('TestHooksSpec')).map(([, spec]) => spec));
  return { appDir, definition, hooks };
}

/** The generated section of one app's README (between the markers, markers included). */
export function configurationSection(app) {
  const { appDir, definition, hooks } = loadApp(app);
  const kit = require('@feedmesh/service-kit');
  const storage = require('@feedmesh/storage');
  const telemetry = require('@feedmesh/telemetry');
  const kitSpec = { ...kit.kitEnvSpec, PORT: envalid.port({ default: definition.defaultPort, desc: 'Port of both protocols (gRPC and HTTP/1.1 Connect, probes, /metrics); 0 = any free port' }) };

  // A variable is listed where its validator comes from: the app's own (or its override of a
  // kit or storage setting), storage's, or the kit's.
  const own = [], fromStorage = [];
  for (const [name, validator] of Object.entries(definition.env)) {
    if (name in hooks) continue;
    (storage.storageEnvSpec[name] === validator ? fromStorage : own).push([name, validator]);
  }
  const fromKit = Object.entries(kitSpec).filter(([name]) => !(name in definition.env));

  const parts = [
    BEGIN,
    'Generated from the env specs by `node tools/dev/env-docs.mjs` (CI fails when this list is stale). Every setting is an environment variable, validated when the app starts: a bad value stops it, naming the variable.',
    '',
    `**${definition.name}** (\`src/env.ts\`)`,
    '',
    table(own, appDir),
    '',
    '**Storage connections** (`@feedmesh/storage`, `storageEnvSpec`)',
    '',
    table(fromStorage, appDir),
    '',
    '**Shared data layout** (`@feedmesh/storage`, `sharedDataEnvSpec`: read once when storage loads; every process using the same Redis needs the same values)',
    '',
    table(Object.entries(storage.sharedDataEnvSpec), appDir),
    '',
    '**Service kit** (`@feedmesh/service-kit`)',
    '',
    table(fromKit, appDir),
    '',
    '**Telemetry** (`@feedmesh/telemetry`, `telemetryEnvSpec`; the SDK also honours the other standard `OTEL_*` variables)',
    '',
    table(Object.entries(telemetry.telemetryEnvSpec), appDir),
  ];
  if (Object.keys(hooks).length > 0) {
    parts.push(
      '',
      '**Test hooks** (not production settings: ignored unless `FEEDMESH_TEST_HOOKS=enable`)',
      '',
      table(Object.entries(hooks), appDir),
    );
  }
  parts.push(END);
  return parts.join('\n');
}

/** The README with its section replaced; throws when the markers are missing. */
export function withSection(readme, section, file) {
  const begin = readme.indexOf(BEGIN);
  const end = readme.indexOf(END, begin);
  if (begin < 0 || end < 0) throw new Error(`${file}: no generated section (add "${BEGIN}" and "${END}" under a "## Configuration" heading)`);
  return readme.slice(0, begin) + section + readme.slice(end + END.length);
}

/** Rewrites (or with check, only compares) every app's README; returns the stale or failing ones. */
export function run({ root = repoRoot, check = false, apps = APPS } = {}) {
  const problems = [];
  for (const app of apps) {
    const file = path.join(root, 'apps', app, 'README.md');
    const readme = readFileSync(file, 'utf8');
    let expected;
    try {
      expected = withSection(readme, configurationSection(app), file);
    } catch (error) {
      problems.push(error.message);
      continue;
    }
    if (expected === readme) continue;
    if (check) problems.push(`${file}: the Configuration section is stale`);
    else writeFileSync(file, expected);
  }
  return problems;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const rootAt = args.indexOf('--root');
  const problems = run({ check: args.includes('--check'), root: rootAt >= 0 ? path.resolve(args[rootAt + 1]) : repoRoot });
  if (problems.length > 0) {
    for (const problem of problems) console.error(problem);
    console.error('Run `node tools/dev/env-docs.mjs` (after building the apps) and commit the READMEs.');
    process.exit(1);
  }
  console.log(args.includes('--check') ? 'README configuration sections are current.' : 'README configuration sections written.');
}
