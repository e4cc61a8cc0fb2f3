// `node --test tools/dev/env-docs.test.mjs` (apps built): the README check must be able to fail.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, beforeEach, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { APPS, BEGIN, END, configurationSection } from './env-docs.mjs';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const script = path.join(repoRoot, 'tools', 'dev', 'env-docs.mjs');
const copy = mkdtempSync(path.join(tmpdir(), 'env-docs-'));
const readmeOf = (app) => path.join(copy, 'apps', app, 'README.md');
const check = () => spawnSync(process.execPath, [script, '--check', '--root', copy], { encoding: 'utf8' });

beforeEach(() => {
  for (const app of APPS) {
    mkdirSync(path.dirname(readmeOf(app)), { recursive: true });
    cpSync(path.join(repoRoot, 'apps', app, 'README.md'), readmeOf(app));
  }
});
after(() => rmSync(copy, { recursive: true, force: true }));

test('the committed READMEs are current', () => {
  const result = check();
  assert.equal(result.status, 0, result.stderr);
});

test('a README whose list disagrees with the spec is refused, by name', () => {
  const readme = readFileSync(readmeOf('render'), 'utf8');
  const stale = readme.replace('| `RENDER_CARD_TTL_MS` | number | `300000` |', '| `RENDER_CARD_TTL_MS` | number | `60000` |');
  assert.notEqual(stale, readme, 'the fixture must change the README');
  writeFileSync(readmeOf('render'), stale);
  const result = check();
  assert.equal(result.status, 1);
  assert.match(result.stderr, /apps\/render\/README\.md: the Configuration section is stale/);
  assert.doesNotMatch(result.stderr, /apps\/recall\//);
});

test('a README missing a variable, or without the markers, is refused', () => {
  const recall = readFileSync(readmeOf('recall'), 'utf8');
  writeFileSync(readmeOf('recall'), recall.replace(/^\| `RECALL_FRESH_QUOTA` .*\n/m, ''));
  const ranking = readFileSync(readmeOf('ranking'), 'utf8');
  writeFileSync(readmeOf('ranking'), ranking.replace(BEGIN, ''));
  const result = check();
  assert.equal(result.status, 1);
  assert.match(result.stderr, /apps\/recall\/README\.md: the Configuration section is stale/);
  assert.match(result.stderr, /apps\/ranking\/README\.md: no generated section/);
});

test('the section lists production settings apart from the test hooks', () => {
  const section = configurationSection('recall');
  assert.ok(section.startsWith(BEGIN) && section.endsWith(END));
  const [production, hooks] = section.split('**Test hooks**');
  assert.doesNotMatch(production, /RECALL_SOURCE_DELAY_MS/);
  assert.match(hooks, /`RECALL_SOURCE_DELAY_MS_TRENDING` \| number \| `0` \|/);
  assert.doesNotMatch(configurationSection('render'), /Test hooks/);
});
