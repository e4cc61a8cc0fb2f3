import { describe, expect, it } from 'vitest';
import { clamp01 } from './feature.js';
import { featureNames } from './feature-registry.js';

describe('feature registry and helpers', () => {
  it('have the documented names', () => {
    expect(featureNames).toEqual(['freshness', 'engagement-rate', 'author-affinity', 'kind-preference', 'source-boost']);
  });

  it('clamp01 maps NaN to 0', () => {
    expect(clamp01(Number.NaN)).toBe(0);
    expect(clamp01(-1)).toBe(0);
    expect(clamp01(2)).toBe(1);
    expect(clamp01(0.3)).toBe(0.3);
  });
});
