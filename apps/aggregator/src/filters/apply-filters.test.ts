import { describe, expect, it } from 'vitest';
import { entry } from '../../test/unit-fixtures.js';
import { afterSnapshotFilter } from './after-snapshot-filter.js';
import { alreadyServedFilter } from './already-served-filter.js';
import { applyFilters } from './apply-filters.js';

const filters = [afterSnapshotFilter, alreadyServedFilter];

describe('applyFilters', () => {
  it('returns what it kept, where, and what each filter removed', () => {
    const entries = [entry('a', 1, 'article', 100), entry('b', 1, 'article', 900), entry('c', 1, 'article', 200), entry('d', 1, 'article', 300)];
    const result = applyFilters(entries, filters, { snapshotMs: 500, served: new Set(['c', 'b']) });
    expect(result.kept.map((e) => e.id)).toEqual(['a', 'd']);
    expect(result.keptAt).toEqual([0, 3]);
    // b is newer than the snapshot and served: the first filter that refuses it counts it.
    expect(result.removed['after-snapshot']!.map((e) => e.id)).toEqual(['b']);
    expect(result.removed['already-served']!.map((e) => e.id)).toEqual(['c']);
  });
  it('keeps everything the served set would drop when no served set is loaded (a window page)', () => {
    const result = applyFilters([entry('a', 1, 'article', 100)], filters, { snapshotMs: 500, served: undefined });
    expect(result.kept).toHaveLength(1);
  });
});
