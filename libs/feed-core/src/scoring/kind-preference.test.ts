import { ItemKind } from '@feedmesh/contracts';
import { describe, expect, it } from 'vitest';
import { emptyUserFeatures, type UserFeatures, type Feature } from './feature.js';
import { kindPreference } from './kind-preference.js';
import { defaultModelConfig } from './model-config.js';
import type { CandidateLike } from '../candidate.js';
import { columnsOfCandidates } from './candidate-columns.js';

/** The feature's value of one candidate, through both the column and the per-index form (which must agree). */
function valueOf(f: Feature, c: CandidateLike, user: UserFeatures, now: number): number {
  const columns = columnsOfCandidates([c]);
  const out = new Float64Array(1);
  f.computeColumn(columns, user, now, out);
  expect(f.value(columns, 0, user, now)).toBe(out[0]);
  return out[0]!;
}

const now = 1_700_000_000_000;
const ofKind = (kind: ItemKind) => ({ item: { id: 'i', kind, authorId: 'a', createdAtMs: now }, sources: [], recallScore: 0 });

describe('kind-preference', () => {
  const feature = kindPreference.create(defaultModelConfig);
  const user: UserFeatures = { ...emptyUserFeatures, kindAffinity: new Map([[ItemKind.VIDEO, 0.6], [ItemKind.ARTICLE, -2]]) };

  it('reads the user preference for the kind, clamped to [0, 1]', () => {
    expect(feature.name).toBe('kind-preference');
    expect(valueOf(feature, ofKind(ItemKind.VIDEO), user, now)).toBe(0.6);
    expect(valueOf(feature, ofKind(ItemKind.ARTICLE), user, now)).toBe(0);
  });

  it('is 0 for kinds the user has no preference for and items without a ref', () => {
    expect(valueOf(feature, ofKind(ItemKind.LIVE), user, now)).toBe(0);
    expect(valueOf(feature, { sources: [], recallScore: 0 }, user, now)).toBe(0);
  });
});
