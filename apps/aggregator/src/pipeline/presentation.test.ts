import { create } from '@bufbuild/protobuf';
import { ItemKind, ScoreBreakdownSchema } from '@feedmesh/contracts';
import { describe, expect, it } from 'vitest';
import { renderedItem } from '../../test/unit-fixtures.js';
import { presentation } from './presentation.js';

describe('presentation', () => {
  const items = [renderedItem('a', 'article'), renderedItem('v', 'video'), renderedItem('l', 'live')];

  it('maps every kind to the proto oneof with the generic mapping', () => {
    const response = presentation({ items, nextCursor: 'next', degradedReasons: [] });
    expect(response.items!.map((i) => [i.id, i.kind, i.card?.case])).toEqual([
      ['a', ItemKind.ARTICLE, 'article'],
      ['v', ItemKind.VIDEO, 'video'],
      ['l', ItemKind.LIVE, 'live'],
    ]);
    expect(response.nextCursor).toBe('next');
    expect(response.degraded).toBe(false);
    expect(response.debug).toBeUndefined();
  });

  it('flags degraded pages with their reasons', () => {
    const response = presentation({ items, nextCursor: '', degradedReasons: ['ranking: unavailable'] });
    expect(response.degraded).toBe(true);
    expect(response.degradedReasons).toEqual(['ranking: unavailable']);
  });

  it('keeps only the score breakdowns of items on the page in debug', () => {
    const response = presentation({
      items,
      nextCursor: '',
      degradedReasons: [],
      debug: {
        timings: [{ stage: 'recall', durationMs: 3, budgetMs: 100 }],
        sources: [],
        breakdowns: [create(ScoreBreakdownSchema, { itemId: 'a', score: 1 }), create(ScoreBreakdownSchema, { itemId: 'zzz', score: 2 })],
        modelVersion: 'm1',
        sessionId: 's1',
        filters: [{ filter: 'muted', removed: 2 }],
      },
    });
    expect(response.debug?.scores?.map((s) => s.itemId)).toEqual(['a']);
    expect(response.debug?.stages).toEqual([{ stage: 'recall', durationMs: 3, budgetMs: 100 }]);
    expect(response.debug?.sessionId).toBe('s1');
    expect(response.debug?.modelVersion).toBe('m1');
    expect(response.debug?.filters).toEqual([{ filter: 'muted', removed: 2 }]);
  });
});
