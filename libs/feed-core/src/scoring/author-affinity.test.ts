import { describe, expect, it } from 'vitest';
import { authorAffinity } from './author-affinity.js';
import { emptyUserFeatures, type UserFeatures } from './feature.js';
import { exampleModel } from './example-model.fixture.js';
import { valueOf } from '../../test/helpers.js';
import { columnsOfCandidates } from './candidate-columns.js';


const now = 1_700_000_000_000;
const withAuthor = (authorId: string, sources: string[] = []) => ({
  item: { id: 'i', kind: 1, authorId, createdAtMs: now },
  sources,
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

  it('a follow edge is a starting affinity: in-network candidates get at least followedAuthorAffinity', () => {
    const f = authorAffinity.create({ ...exampleModel, followedAuthorAffinity: 0.5 });
    expect(valueOf(f, withAuthor('new', ['following']), user, now)).toBe(0.5); // just followed, no history
    expect(valueOf(f, withAuthor('new', ['trending', 'following']), user, now)).toBe(0.5);
    expect(valueOf(f, withAuthor('fav', ['following']), user, now)).toBe(0.8); // a floor, not a cap
    expect(valueOf(f, withAuthor('new', ['trending']), user, now)).toBe(0); // out of network: no floor
    expect(valueOf(f, withAuthor('new', []), user, now)).toBe(0);
  });

  it('the floor follows the model: its in-network source, and 0 turns it off', () => {
    const custom = authorAffinity.create({ ...exampleModel, followedAuthorAffinity: 0.3, inNetworkSource: 'friends' });
    expect(valueOf(custom, withAuthor('new', ['friends']), user, now)).toBe(0.3);
    expect(valueOf(custom, withAuthor('new', ['following']), user, now)).toBe(0);
    const off = authorAffinity.create({ ...exampleModel, followedAuthorAffinity: 0 });
    expect(valueOf(off, withAuthor('new', ['following']), user, now)).toBe(0);
  });

  it('column and per-candidate values agree on a mixed block', () => {
    const f = authorAffinity.create({ ...exampleModel, followedAuthorAffinity: 0.4 });
    const cs = [withAuthor('fav', ['following']), withAuthor('x', ['trending']), withAuthor('y', ['following', 'trending']), withAuthor('fav')];
    const columns = columnsOfCandidates(cs);
    const out = new Float64Array(cs.length);
    f.computeColumn(columns, user, now, out);
    expect(Array.from(out)).toEqual([0.8, 0, 0.4, 0.8]);
    cs.forEach((_, i) => expect(f.value(columns, i, user, now)).toBe(out[i]));
  });
});
