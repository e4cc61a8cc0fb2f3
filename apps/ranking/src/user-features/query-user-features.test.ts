import type { UserReadModel } from '@feedmesh/storage';
import { emptyUserFeatures } from '@feedmesh/feed-core';
import { describe, expect, it } from 'vitest';
import { queryUserFeatures } from './query-user-features.js';

const model = (authors: Array<[string, number]>): UserReadModel => ({
  authorAffinity: new Map(authors),
  kindAffinity: new Map([[2, 0.5]]),
  interests: [{ topic: 't', weight: 1 }],
  pulledAuthors: ['p'],
});
const source = (m: UserReadModel | undefined) => ({ user: async () => m });

describe('queryUserFeatures', () => {
  it('takes the affinities of the user read model', async () => {
    const features = await queryUserFeatures(source(model([['a', 0.3]])), 'u1', 10);
    expect(features).toEqual({ authorAffinity: new Map([['a', 0.3]]), kindAffinity: new Map([[2, 0.5]]) });
  });

  it('ranks a user the read model does not know with empty features', async () => {
    expect(await queryUserFeatures(source(undefined), 'nobody', 10)).toBe(emptyUserFeatures);
  });

  it('keeps the strongest affinities only, ties by author id', async () => {
    const features = await queryUserFeatures(source(model([['c', 0.2], ['b', 0.9], ['a', 0.2], ['d', 0.1]])), 'u1', 2);
    expect([...features.authorAffinity]).toEqual([['b', 0.9], ['a', 0.2]]);
  });
});
