import { describe, expect, it } from 'vitest';
import { entry } from '../../test/unit-fixtures.js';
import { afterSnapshotFilter } from './after-snapshot-filter.js';
import { alreadyServedFilter } from './already-served-filter.js';
import { applyFilters } from './apply-filters.js';
import { blockedFilter } from './blocked-filter.js';
import { mutedFilter } from './muted-filter.js';
import { newerThanFilter } from './newer-than-filter.js';
import { shownLessFilter } from './shown-less-filter.js';
import { NO_PREFERENCES, parseViewerPreferences } from '@feedmesh/storage';

const filters = [afterSnapshotFilter, alreadyServedFilter];

describe('applyFilters', () => {
  it('returns what it kept, where, and what each filter removed', () => {
    const entries = [entry('a', 1, 'article', 100), entry('b', 1, 'article', 900), entry('c', 1, 'article', 200), entry('d', 1, 'article', 300)];
    const result = applyFilters(entries, filters, { snapshotMs: 500, served: new Set(['c', 'b']), preferences: NO_PREFERENCES });
    expect(result.kept.map((e) => e.id)).toEqual(['a', 'd']);
    expect(result.keptAt).toEqual([0, 3]);
    // b is newer than the snapshot and served: the first filter that refuses it counts it.
    expect(result.removed['after-snapshot']!.map((e) => e.id)).toEqual(['b']);
    expect(result.removed['already-served']!.map((e) => e.id)).toEqual(['c']);
  });
  it('keeps everything the served set would drop when no served set is loaded (a window page)', () => {
    const result = applyFilters([entry('a', 1, 'article', 100)], filters, { snapshotMs: 500, served: undefined, preferences: NO_PREFERENCES });
    expect(result.kept).toHaveLength(1);
  });

  it('drops items of blocked (either way) and muted authors and items shown less, each counted by its filter', () => {
    const preferences = parseViewerPreferences({ 'blocks:a-a': '0', 'blocked-by:a-b': '0', 'mute:a-c': '0', 'less-item:d': '0', 'mute:a-e': '10' }, 500);
    const entries = ['a', 'b', 'c', 'd', 'e', 'f'].map((id) => entry(id, 1, 'article', 100));
    const result = applyFilters(entries, [afterSnapshotFilter, blockedFilter, mutedFilter, shownLessFilter, alreadyServedFilter], { snapshotMs: 500, served: undefined, preferences });
    // e's mute ended at 10 ms: e stays.
    expect(result.kept.map((e) => e.id)).toEqual(['e', 'f']);
    expect(result.removed['blocked']!.map((e) => e.id)).toEqual(['a', 'b']);
    expect(result.removed['muted']!.map((e) => e.id)).toEqual(['c']);
    expect(result.removed['shown-less']!.map((e) => e.id)).toEqual(['d']);
  });

  it('keeps only what is newer than the old session on a newer page, and everything otherwise', () => {
    const entries = [entry('old', 1, 'article', 100), entry('edge', 1, 'article', 200), entry('new', 1, 'article', 300)];
    const newer = applyFilters(entries, [afterSnapshotFilter, newerThanFilter], { snapshotMs: 500, served: undefined, preferences: NO_PREFERENCES, newerThanMs: 200 });
    expect(newer.kept.map((e) => e.id)).toEqual(['new']);
    expect(newer.removed['newer-than']!.map((e) => e.id)).toEqual(['old', 'edge']);
    expect(applyFilters(entries, [newerThanFilter], { snapshotMs: 500, served: undefined, preferences: NO_PREFERENCES }).kept).toHaveLength(3);
  });
});
