// Scenario runs against a fake FeedService/IngestService of the test's own (test/fixtures/feed-fixture.ts),
// on loopback: what journeys carry from one response into the next call, the stage schedule as the
// server saw it, per-step and per-stage results, the tokens sent, and the single-method timeline.
import { jwtVerify } from 'jose';
import { afterEach, describe, expect, it } from 'vitest';
import { runLoad } from '../src/run-load.js';
import { runScenario } from '../src/scenario/run-scenario.js';
import { parseScenario } from '../src/scenario/scenario-file.js';
import { parseStages } from '../src/scenario/stages.js';
import { startFeedFixture, type FeedFixture } from './fixtures/feed-fixture.js';

const SECRET = 'loadgen-scenario-test-secret';
let fixture: FeedFixture | undefined;
afterEach(async () => {
  await fixture?.close();
  fixture = undefined;
});

async function run(yaml: string, stages: string[], extra: { maxInflight?: number } = {}) {
  const scenario = await parseScenario(yaml, 'test.yaml');
  return runScenario({
    scenario,
    target: fixture!.address,
    protocol: 'grpc',
    stages: parseStages(stages, (i) => `stages[${i}]`),
    timeoutMs: 2000,
    maxInflight: extra.maxInflight ?? 1000,
    metadata: [],
    traceSample: 0.5,
    authSecret: SECRET,
  });
}

const BROWSE = `
variables:
  user: [alice, bob]
journeys:
  - name: browse
    auth: { user: 'u{{iteration}}' }
    steps:
      - name: page
        method: FeedService/GetFeed
        body: { userId: 'u{{iteration}}', pageSize: 3, cursor: '{{cursor}}' }
        extract: { cursor: nextCursor, items: 'items[*].id' }
        repeat: 5
        while: cursor
        think: 5ms
      - name: engage
        method: IngestService/RecordEngagement
        body:
          events: { $each: items, as: item, value: { userId: 'u{{iteration}}', itemId: '{{item}}', type: ENGAGEMENT_TYPE_VIEW, occurredAt: '{{now}}' } }
  - name: follow
    steps:
      - method: IngestService/Follow
        body: { followerId: '{{user}}', followeeId: 'author-1' }
`;

describe('scenario journeys', () => {
  it('follow each next_cursor, then record engagement for the items of the page just seen, as the journey\'s user', async () => {
    fixture = await startFeedFixture({ pages: 3 });
    const report = await run(BROWSE, ['1ms@20/s', '1s@20/s']);
    const calls = fixture.calls;
    const feeds = calls.filter((c) => c.method === 'GetFeed');
    const users = [...new Set(feeds.map((c) => (c.request as { userId: string }).userId))];
    const browse = report.journeys!.find((j) => j.journey === 'browse')!;
    expect(browse.started).toBeGreaterThan(3);
    expect(users).toHaveLength(browse.started);
    // Journeys still paging when the run ended were cut short; every completed one engaged once.
    const engagedUsers = calls.filter((c) => c.method === 'RecordEngagement').map((c) => (c.request as { events: { userId: string }[] }).events[0].userId);
    expect(engagedUsers.length).toBe(browse.completed);
    expect(browse.completed).toBeGreaterThan(3);
    for (const user of engagedUsers) {
      const mine = feeds.filter((c) => (c.request as { userId: string }).userId === user).map((c) => (c.request as { cursor?: string }).cursor ?? '');
      // Three pages: the first without a cursor, then each page's next_cursor; the empty one ends the step.
      expect(mine).toEqual(['', 'page-2', 'page-3']);
      const engagement = calls.find((c) => c.method === 'RecordEngagement' && (c.request as { events: { userId: string }[] }).events[0]?.userId === user);
      const events = (engagement?.request as { events: { itemId: string; type: string }[] }).events;
      expect(events.map((e) => e.itemId)).toEqual([`${user}-p3-i1`, `${user}-p3-i2`, `${user}-p3-i3`]);
      expect(events.every((e) => e.type === 'ENGAGEMENT_TYPE_VIEW')).toBe(true);
    }
    // One end-user token per journey's user, signed with the run's secret.
    for (const call of calls.filter((c) => c.method !== 'Follow')) {
      const token = call.authorization!.replace(/^Bearer /, '');
      const { payload } = await jwtVerify(token, new TextEncoder().encode(SECRET), { issuer: 'feedmesh', audience: 'feedmesh' });
      const user = call.method === 'GetFeed' ? (call.request as { userId: string }).userId : (call.request as { events: { userId: string }[] }).events[0].userId;
      expect(payload.sub).toBe(user);
    }
    // The follow journey has no auth and a variable from a list, drawn once per journey.
    const follows = calls.filter((c) => c.method === 'Follow');
    expect(follows.every((c) => c.authorization === undefined && ['alice', 'bob'].includes((c.request as { followerId: string }).followerId))).toBe(true);

    // Per-step results match what the server received.
    const step = (name: string) => report.steps!.find((s) => s.step === name)!;
    expect(step('page')).toMatchObject({ journey: 'browse', method: 'feedmesh.feed.v1.FeedService/GetFeed', ok: feeds.length, errors: 0 });
    expect(step('engage').ok).toBe(calls.filter((c) => c.method === 'RecordEngagement').length);
    expect(step('Follow').ok).toBe(follows.length);
    expect(step('page').latencyMs.count).toBe(feeds.length);
    expect(step('page').slowest.length).toBeGreaterThan(0);
    expect(report.requests.ok).toBe(calls.length);
    expect(browse.completed + browse.cut).toBe(browse.started);
  });

  it('counts a failed call per step and code, and stops that journey', async () => {
    fixture = await startFeedFixture({ pages: 2, failingUsers: new Set(['u2', 'u4']) });
    const report = await run(BROWSE.replace(/  - name: follow[\s\S]*$/, ''), ['1ms@10/s', '1s@10/s']);
    const page = report.steps!.find((s) => s.step === 'page')!;
    expect(page.errors).toBe(2);
    expect(page.errorsByCode).toEqual({ UNAVAILABLE: 2 });
    expect(report.errorsByCode).toEqual({ UNAVAILABLE: 2 });
    expect(report.journeys![0].failed).toBe(2);
    // The failing users' journeys never reached the engagement step.
    const engaged = fixture.calls.filter((c) => c.method === 'RecordEngagement').map((c) => (c.request as { events: { userId: string }[] }).events[0].userId);
    expect(engaged).not.toContain('u2');
    expect(engaged).not.toContain('u4');
  });
});

describe('per-step targets', () => {
  it('sends a step with its own target there, over Connect JSON', async () => {
    fixture = await startFeedFixture({ pages: 1, protocol: 'connect' });
    const ingest = await startFeedFixture({ pages: 1, protocol: 'connect' });
    try {
      const yaml = `journeys:\n  - steps:\n      - method: FeedService/GetFeed\n        body: { userId: u1 }\n      - target: ${ingest.address}\n        method: IngestService/Follow\n        body: { followerId: u1, followeeId: u2 }\n`;
      const scenario = await parseScenario(yaml, 'test.yaml');
      const report = await runScenario({
        scenario, target: fixture.address, protocol: 'connect', stages: parseStages(['1ms@10/s', '500ms@10/s'], (i) => `stages[${i}]`),
        timeoutMs: 2000, maxInflight: 100, metadata: [['x-test', 'yes']], traceSample: 0, authSecret: undefined,
      });
      expect(report.requests.errors).toBe(0);
      expect(fixture.calls.map((c) => c.method)).toEqual(Array(5).fill('GetFeed'));
      expect(ingest.calls.map((c) => c.method)).toEqual(Array(5).fill('Follow'));
    } finally {
      await ingest.close();
    }
  });
});

describe('stages', () => {
  it('ramps the arrival rate as scheduled, and reports each stage', async () => {
    fixture = await startFeedFixture({ pages: 1 });
    const oneCall = `journeys:\n  - steps:\n      - method: FeedService/GetFeed\n        body: { userId: 'u{{iteration}}' }\n`;
    // 0 → 40/s over 1 s (20 journeys), 40/s for 1 s (40), 40 → 0 over 1 s (20).
    const report = await run(oneCall, ['1s@40/s', '1s@40/s', '1s@0']);
    const stages = report.stages!;
    expect(stages.map((s) => s.stage)).toEqual(['1s@40/s', '1s@40/s', '1s@0']);
    const expected = [20, 40, 20];
    // A journey's call counts in the stage it was scheduled in, so only a journey the run's end cut off could move these.
    stages.forEach((stage, index) => expect(Math.abs(stage.ok - expected[index])).toBeLessThanOrEqual(1));
    expect(stages.reduce((sum, s) => sum + s.ok, 0)).toBe(80);
    expect(report.requests.ok).toBe(80);
    // The server saw the same shape: a quarter of the ramp's calls in its first half.
    const first = fixture.calls[0].atMs;
    const inWindow = (from: number, to: number): number => fixture!.calls.filter((c) => c.atMs - first >= from && c.atMs - first < to).length;
    expect(inWindow(1000, 2000)).toBeGreaterThanOrEqual(36);
    expect(inWindow(1000, 2000)).toBeLessThanOrEqual(44);
    // The ramp's first arrival is at 0.158 s (20 t² = 0.5); 0.5 s later 20 × 0.658² ≈ 8.7 were due.
    expect(inWindow(0, 500)).toBeGreaterThanOrEqual(6);
    expect(inWindow(0, 500)).toBeLessThanOrEqual(11);
    expect(report.mode).toBe('open-loop');
    expect(report.rate).toBe(40);
    expect(report.timeline!.length).toBeGreaterThanOrEqual(3);
    expect(report.timeline!.reduce((sum, p) => sum + p.ok, 0)).toBe(80);
  });

  it('runs virtual users, each looping journeys, never more in flight than users', async () => {
    fixture = await startFeedFixture({ pages: 1, delayMs: 20 });
    const oneCall = `journeys:\n  - steps:\n      - method: FeedService/GetFeed\n        body: { userId: 'u{{iteration}}' }\n        think: 30ms\n`;
    const report = await run(oneCall, ['1ms@3vu', '1s@3vu']);
    expect(report.mode).toBe('closed-loop');
    expect(report.concurrency).toBe(3);
    // Each user: a call of ~20 ms and 30 ms of think time, so ~20 journeys a second each.
    expect(report.requests.ok).toBeGreaterThan(20);
    expect(report.requests.ok).toBeLessThanOrEqual(3 * 21);
    const times = fixture.calls.map((c) => c.atMs);
    const maxInflight = Math.max(...times.map((t) => times.filter((u) => u >= t && u < t + 20).length));
    expect(maxInflight).toBeLessThanOrEqual(3);
  });
});

describe('the single-method report', () => {
  it('has a per-second timeline and a percentile distribution', async () => {
    fixture = await startFeedFixture({ pages: 1 });
    const report = await runLoad({ target: fixture.address, method: 'FeedService/GetFeed', body: '{"userId":"u1"}', concurrency: 2, durationMs: 2100 });
    expect(report.timeline!.length).toBeGreaterThanOrEqual(2);
    const points = report.timeline!;
    expect(points[0].t).toBeGreaterThan(0.9);
    expect(points[0].ok).toBeGreaterThan(0);
    expect(points[0].p99Ms).toBeGreaterThanOrEqual(points[0].p50Ms);
    expect(points.reduce((sum, p) => sum + p.ok, 0)).toBeLessThanOrEqual(report.requests.ok);
    const distribution = report.latencyDistribution!;
    expect(distribution[0].percentile).toBe(0);
    expect(distribution.at(-1)).toEqual({ percentile: 100, ms: report.latencyMs.max });
    for (let i = 1; i < distribution.length; i++) expect(distribution[i].ms).toBeGreaterThanOrEqual(distribution[i - 1].ms);
    expect(report.settings).toMatchObject({ method: 'FeedService/GetFeed', mode: 'closed loop, concurrency 2' });
  });
});
