import calculateSlot from 'cluster-key-slot';
import { describe, expect, it } from 'vitest';
import { redisKeys } from './keys.js';

// The grouping relies on hash tags: keys of one tag share a slot, keys of different users don't.
describe('slots of feedmesh keys', () => {
  it('puts keys with one hash tag in one slot', () => {
    expect(calculateSlot(redisKeys.sessionServed('s1'))).toBe(calculateSlot(redisKeys.sessionState('s1')));
    expect(calculateSlot(redisKeys.trending(1))).toBe(calculateSlot(redisKeys.trending(3)));
  });

  it('spreads different users over slots', () => {
    const slots = new Set(Array.from({ length: 50 }, (_, i) => calculateSlot(redisKeys.homeTimeline(`u${i}`))));
    expect(slots.size).toBeGreaterThan(40);
  });
});
