import { ItemKind } from '@feedmesh/contracts';
import { describe, expect, it } from 'vitest';
import { emptyUserFeatures, type UserFeatures } from './feature.js';
import { kindPreference } from './kind-preference.js';
import { exampleModel } from './example-model.fixture.js';
import { valueOf } from '../../test/helpers.js';


const now = 1_700_000_000_000;
const ofKind = (kind: ItemKind) => ({ item: { id: 'i', kind, authorId: 'a', createdAtMs: now }, sources: [], recallScore: 0 });

describe('kind-preference', () => {
  const feature = kindPreference.create(exampleModel);
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
