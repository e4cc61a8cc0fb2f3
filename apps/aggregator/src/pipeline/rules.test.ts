import { describe, expect, it } from 'vitest';
import { entry, renderedItem } from '../../test/unit-fixtures.js';
import type { Hydrate, Hydrated } from './hydration.js';
import { rules } from './rules.js';
import type { SkeletonEntry } from './skeleton-entry.js';

/** A render stand-in that knows every id except `missing`. */
function fakeRender(missing: ReadonlySet<string> = new Set()): Hydrate & { calls: string[][] } {
  const calls: string[][] = [];
  const hydrate = async (entries: readonly SkeletonEntry[]): Promise<Hydrated> => {
    calls.push(entries.map((e) => e.id));
    const items = new Map(entries.filter((e) => !missing.has(e.id)).map((e) => [e.id, renderedItem(e.id, e.kind)]));
    return { items, missing: entries.filter((e) => missing.has(e.id)).map((e) => e.id) };
  };
  return Object.assign(hydrate, { calls });
}

const ranked = ['a', 'b', 'c', 'd', 'e', 'f', 'g'].map((id, i) => entry(id, 10 - i));

describe('rules', () => {
  it('fills a page in ranked order with score and sources from the skeleton', async () => {
    const render = fakeRender();
    const page = await rules({ ranked, pageSize: 3, firstWindow: await render(ranked.slice(0, 3)), hydrate: render, maxTopUps: 2 });
    expect(page.items.map((i) => [i.id, i.score, i.sources])).toEqual([
      ['a', 10, ['following']],
      ['b', 9, ['following']],
      ['c', 8, ['following']],
    ]);
    expect(page.remaining).toBe(4);
    expect(page.topUps).toBe(0);
  });

  it('drops render misses and tops the page up from the next ranked entries', async () => {
    const render = fakeRender(new Set(['b', 'd']));
    const page = await rules({ ranked, pageSize: 3, firstWindow: await render(ranked.slice(0, 3)), hydrate: render, maxTopUps: 2 });
    expect(page.items.map((i) => i.id)).toEqual(['a', 'c', 'e']);
    expect(page.missing).toEqual(['b', 'd']);
    expect(render.calls).toEqual([['a', 'b', 'c'], ['d'], ['e']]);
    expect(page.topUps).toBe(2);
    expect(page.remaining).toBe(2);
  });

  it('serves a short page when the top-ups are used up, leaving the rest for the next page', async () => {
    const render = fakeRender(new Set(['b', 'c', 'd', 'e']));
    const page = await rules({ ranked, pageSize: 3, firstWindow: await render(ranked.slice(0, 3)), hydrate: render, maxTopUps: 1 });
    expect(page.items.map((i) => i.id)).toEqual(['a']);
    expect(page.remaining).toBe(2);
  });

  it('never puts a duplicate id on the page', async () => {
    const dupes = [entry('a', 3), entry('a', 2), entry('b', 1), entry('c', 0)];
    const render = fakeRender();
    const page = await rules({ ranked: dupes, pageSize: 2, firstWindow: await render(dupes.slice(0, 2)), hydrate: render, maxTopUps: 2 });
    expect(page.items.map((i) => i.id)).toEqual(['a', 'b']);
    expect(page.entries.map((e) => e.id)).toEqual(['a', 'b']);
  });

  it('keeps what it has when a top-up render fails', async () => {
    const render = fakeRender(new Set(['b']));
    const failing: Hydrate = async () => {
      throw new Error('render down');
    };
    const page = await rules({ ranked, pageSize: 3, firstWindow: await render(ranked.slice(0, 3)), hydrate: failing, maxTopUps: 2 });
    expect(page.items.map((i) => i.id)).toEqual(['a', 'c']);
    expect(page.topUpError).toBeInstanceOf(Error);
    expect(page.remaining).toBe(4);
  });

  it('reports nothing remaining when the ranked list is exhausted', async () => {
    const render = fakeRender();
    const short = ranked.slice(0, 2);
    const page = await rules({ ranked: short, pageSize: 3, firstWindow: await render(short), hydrate: render, maxTopUps: 2 });
    expect(page.items).toHaveLength(2);
    expect(page.remaining).toBe(0);
  });
});
