// Pure feed logic shared by the feedmesh services: no I/O lives in this package.
export * from './feed-item.js';
export * from './candidate.js';
export * from './merge-candidates.js';
export * from './scoring/feature.js';
export * from './scoring/model-config.js';
export * from './scoring/feature-registry.js';
export * from './scoring/score-candidates.js';
export { freshness } from './scoring/freshness.js';
export { engagementRate } from './scoring/engagement-rate.js';
export { authorAffinity } from './scoring/author-affinity.js';
export { kindPreference } from './scoring/kind-preference.js';
export { sourceBoost } from './scoring/source-boost.js';
export * from './diversity.js';
export * from './hlc.js';
export * from './cursor.js';
export * from './check-cursor.js';
export * from './budget.js';
export type * from './stages.js';
