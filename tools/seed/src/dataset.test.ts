import { describe, expect, it } from 'vitest';
import { redisKeys } from '@feedmesh/storage';
import { generateDataset } from './dataset.js';
import { redisZsets } from './redis-zsets.js';

const base = { users: 300, items: 3000, seed: 7, days: 3, nowMs: Date.UTC(2025, 5, 1, 12) };

function allRows(options: typeof base): Record<string, string[]> {
  const dataset = generateDataset(options);
  return Object.fromEntries(dataset.tables.map((t) => [t.name, [...t.lines()]]));
}

describe('generateDataset', () => {
  it('generates the same rows for the same seed', () => {
    const a = allRows(base);
    const b = allRows(base);
    expect(Object.keys(a)).toEqual(['users', 'follows', 'items', 'item_stats', 'user_author_affinity', 'user_kind_affinity', 'user_interests']);
    for (const table of Object.keys(a)) {
      expect(a[table]!.length, table).toBeGreaterThan(0);
      expect(b[table], table).toEqual(a[table]);
    }
  });

  it('generates different rows for a different seed', () => {
    const a = allRows(base);
    const c = allRows({ ...base, seed: 8 });
    for (const table of ['follows', 'items', 'item_stats', 'user_interests']) {
      expect(c[table], table).not.toEqual(a[table]);
    }
  });

  it('yields the same lines when a table is iterated twice', () => {
    const dataset = generateDataset(base);
    const items = dataset.tables.find((t) => t.name === 'items')!;
    expect([...items.lines()]).toEqual([...items.lines()]);
  });

  it('places items inside the window in publication order with the kind mix', () => {
    const { catalog } = generateDataset(base);
    const start = base.nowMs - base.days * 86_400_000;
    for (let i = 0; i < catalog.count; i++) {
      expect(catalog.createdAtMs[i]).toBeGreaterThanOrEqual(start);
      expect(catalog.createdAtMs[i]).toBeLessThan(base.nowMs);
      if (i > 0) expect(catalog.createdAtMs[i]).toBeGreaterThan(catalog.createdAtMs[i - 1]!);
    }
    const share = (kind: number) => catalog.kinds.filter((k) => k === kind).length / catalog.count;
    expect(share(1)).toBeCloseTo(0.6, 1);
    expect(share(2)).toBeCloseTo(0.3, 1);
    expect(share(3)).toBeCloseTo(0.1, 1);
  });

  it('builds a power-law follow graph without self-follows or duplicates', () => {
    const { graph } = generateDataset({ ...base, users: 2000, items: 100 });
    const counts = [...graph.followerCounts].sort((a, b) => a - b);
    const median = counts[counts.length >> 1]!;
    expect(counts.at(-1)!).toBeGreaterThan(20 * Math.max(1, median));
    for (let u = 0; u < 2000; u++) {
      const followees = [...graph.followees.subarray(graph.offsets[u]!, graph.offsets[u + 1]!)];
      expect(followees.length).toBeGreaterThanOrEqual(20);
      expect(followees.length).toBeLessThanOrEqual(100);
      expect(followees).not.toContain(u);
      expect(new Set(followees).size).toBe(followees.length);
    }
  });

  it('fills home timelines newest first from followed authors only', () => {
    const dataset = generateDataset(base);
    const writes = [...redisZsets(dataset, { timelineLength: 50 })];
    const timeline = writes.find((w) => w.key === redisKeys.homeTimeline('u1'))!;
    expect(timeline.entries).toBe(50);
    const followed = new Set(
      [...dataset.graph.followees.subarray(dataset.graph.offsets[0]!, dataset.graph.offsets[1]!)].map((a) => `u${a + 1}`),
    );
    const scores = timeline.args.filter((_, i) => i % 2 === 0) as number[];
    const members = timeline.args.filter((_, i) => i % 2 === 1) as string[];
    for (const member of members) expect(followed.has(member.split('|')[2]!)).toBe(true);
    expect([...scores].sort((a, b) => b - a)).toEqual(scores);
    // No newer item of a followed author was left out.
    const oldest = Math.min(...scores);
    const { catalog } = dataset;
    let newer = 0;
    for (let i = 0; i < catalog.count; i++) {
      if (followed.has(`u${catalog.authors[i]! + 1}`) && catalog.createdAtMs[i]! >= oldest) newer++;
    }
    expect(newer).toBe(50);
  });
});
