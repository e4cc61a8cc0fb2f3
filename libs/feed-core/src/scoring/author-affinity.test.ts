import { describe, expect, it } from 'vitest';
import { authorAffinity } from './author-affinity.js';
import { emptyUserFeatures, type UserFeatures } from './feature.js';
import { exampleModel } from './example-model.fixture.js';
import { valueOf } from '../../test/helpers.js';


const now = 1_700_000_000_000;
const withAuthor = (authorId: string) => ({
  item: { id: 'i', kind: 1, authorId, createdAtMs: now },
  sources: [],
  recallScore: 0,
});

describe('author-affinity', () => {
  const feature = authorAffinity.create(exampleModel);
  const user: UserFeatures = { ...emptyUserFeatures, authorAffinity: new Map([['fav', 0.8], ['weird', 7]]) };

  it('reads the user affinity of the author, clamped to [0, 1]', () => {
    expect(feature.name).toBe('author-affinity');
    expect(valueOf(feature, withAuthor('fav'), user, now)).toBe(0.8);
    expect(valueOf(feature, withAuthor('weird'), user, now)).toBe(1);
  });

  it('is 0 for unknown authors and items without a ref', () => {
    expect(valueOf(feature, withAuthor('other'), user, now)).toBe(0);
    expect(valueOf(feature, { sources: [], recallScore: 0 }, user, now)).toBe(0);
  });
});
