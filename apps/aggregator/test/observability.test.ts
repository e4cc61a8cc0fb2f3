// The metrics the dashboard and the alerts read, from the real apps after real calls: a page
// with ranking down shows up in aggregator_degraded_pages_total under the reason the caller was
// told, every app reports its version, and every series that deploy/observability's dashboard
// and rules query exists in some app's /metrics (a renamed metric fails here, not on a dark panel).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { spawnApp, type SpawnedApp } from '@feedmesh/service-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commonEnv, entryOf } from './feed-mesh.js';
import { startTestWorld, type TestWorld } from './test-world.js';

const observability = path.join(__dirname, '..', '..', '..', 'deploy', 'observability');
let world: TestWorld;
let ingest: SpawnedApp;

beforeAll(async () => {
  // Redis db 6 is this file's (observability).
  world = await startTestWorld({ name: 'observability', redisDb: 6, seed: { users: 10, items: 300, seed: 5, days: 2, timelineLength: 100, nowMs: Date.now() - 60_000 } });
  ingest = await spawnApp(entryOf('ingest'), { ...commonEnv({ databaseUrl: world.databaseUrl, redisUrl: world.redisUrl, otlpEndpoint: '' }), INGEST_RUN_WORKER: 'false' }, { name: 'ingest', timeoutMs: 30_000 });
});

afterAll(async () => {
  await ingest?.stop();
  await world?.close();
});

async function scrape(app: SpawnedApp): Promise<string> {
  const response = await fetch(`http://127.0.0.1:${app.port}/metrics`);
  expect(response.status, app.name).toBe(200);
  expect(response.headers.get('x-feedmesh-version'), app.name).toBe('0.1.0');
  return response.text();
}

/** The value of one series (`name{labels}` exactly as written, labels in prom-client's order). */
function valueOf(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

/** Series names /metrics declares: a histogram's _bucket, _sum and _count among them. */
function declaredSeries(text: string): Set<string> {
  const names = new Set<string>();
  for (const [, name, type] of text.matchAll(/^# TYPE (\S+) (\S+)$/gm)) {
    names.add(name!);
    if (type === 'histogram') for (const suffix of ['_bucket', '_sum', '_count']) names.add(name! + suffix);
    if (type === 'summary') for (const suffix of ['_sum', '_count']) names.add(name! + suffix);
  }
  return names;
}

const KEYWORDS = new Set(['and', 'or', 'unless', 'bool', 'offset', 'by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'inf', 'nan']);

/** The metric names a PromQL expression reads (functions, label names, keywords and durations left out). */
export function metricNames(expr: string): string[] {
  const bare = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""')
    .replace(/\{[^}]*\}/g, '')
    .replace(/\[[^\]]*\]/g, '')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ');
  return [...bare.matchAll(/(?<![\w.$])([a-zA-Z_:][\w:]*)(?![\w:]|\s*\()/g)].map((m) => m[1]!).filter((name) => !KEYWORDS.has(name.toLowerCase()));
}

/** Every `expr:` of the rules files (one line, or a `|` block), and the names they record. */
function ruleExpressions(): { exprs: string[]; recorded: Set<string> } {
  const dir = path.join(observability, 'prometheus', 'rules');
  const text = readFileSync(path.join(dir, 'feedmesh-alerts.yml'), 'utf8');
  const exprs: string[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const m = /^(\s*)expr:\s*(.*)$/.exec(lines[i]!);
    if (!m) continue;
    if (m[2] !== '|') {
      exprs.push(m[2]!);
      continue;
    }
    const block: string[] = [];
    while (i + 1 < lines.length && (lines[i + 1]!.trim() === '' || lines[i + 1]!.search(/\S/) > m[1]!.length)) block.push(lines[++i]!);
    exprs.push(block.join('\n'));
  }
  return { exprs, recorded: new Set([...text.matchAll(/^\s*- record:\s*(\S+)/gm)].map((r) => r[1]!)) };
}

function dashboardExpressions(): string[] {
  const dashboard = JSON.parse(readFileSync(path.join(observability, 'grafana', 'dashboards', 'feedmesh.json'), 'utf8')) as { panels: Array<{ targets?: Array<{ expr: string }> }> };
  return dashboard.panels.flatMap((p) => (p.targets ?? []).map((t) => t.expr));
}

describe('what the dashboard and the alerts read', () => {
  it('the query parser finds metric names, not functions, labels or keywords', () => {
    expect(metricNames('sum by (le, app) (rate(x_bucket{le="0.085", a=~"b|c"}[5m])) / on (app) group_left (version) y_info > 2 * 0.001 and up == 0')).toEqual(['x_bucket', 'y_info', 'up']);
    expect(metricNames('histogram_quantile(0.99, sum by (le) (rate(z_bucket[$__rate_interval]))) or feedmesh:ratio:rate5m')).toEqual(['z_bucket', 'feedmesh:ratio:rate5m']);
  });

  it('a page with ranking down counts as degraded under the reason the caller got; every queried series exists', async () => {
    const userId = world.users[0]!;
    const healthy = await world.feed.getFeed({ userId, pageSize: 10 });
    expect(healthy.degraded, healthy.degradedReasons.join(', ')).toBe(false);
    const before = new Map<string, string>();
    for (const app of [world.mesh.recall, world.mesh.ranking, world.mesh.render, ingest]) before.set(app.name, await scrape(app));

    await world.mesh.kill('ranking');
    const degraded = await world.feed.getFeed({ userId, pageSize: 10 });
    expect(degraded.degraded).toBe(true);
    const reason = degraded.degradedReasons.find((r) => r.startsWith('ranking: '));
    expect(reason, degraded.degradedReasons.join(', ')).toBeDefined();

    const aggregator = await scrape(world.mesh.aggregator);
    before.set('aggregator', aggregator);
    expect(valueOf(aggregator, `aggregator_degraded_pages_total{feed="for-you",reason="${reason}",app="aggregator"}`)).toBe(1);
    expect(valueOf(aggregator, 'aggregator_pages_served_total{feed="for-you",degraded="true",app="aggregator"}')).toBe(1);
    expect(valueOf(aggregator, 'aggregator_pages_served_total{feed="for-you",degraded="false",app="aggregator"}')).toBe(1);
    expect(valueOf(aggregator, 'aggregator_stage_budget_used_ratio_count{app="aggregator",stage="recall"}')).toBe(2);
    expect(valueOf(aggregator, 'feedmesh_build_info{version="0.1.0",app="aggregator"}')).toBe(1);
    expect(valueOf(aggregator, 'feedmesh_app_ready{app="aggregator"}')).toBe(1);

    const served = new Set(['up', ...[...before.values()].flatMap((text) => [...declaredSeries(text)])]);
    const { exprs, recorded } = ruleExpressions();
    const queries = [...exprs, ...dashboardExpressions()];
    expect(queries.length).toBeGreaterThan(30);
    const missing = [...new Set(queries.flatMap(metricNames))].filter((name) => !served.has(name) && !recorded.has(name));
    expect(missing, 'queried by deploy/observability but served by no app').toEqual([]);
  });
});
