import type { EntryFilter } from '../pipeline/components.js';

/**
 * A newer page (GetFeed newer_than) shows only what was created after the snapshot of the session
 * it continues, and CountNewItems counts the same; on every other page it keeps everything.
 */
export const newerThanFilter: EntryFilter = {
  identifier: 'newer-than',
  keep: (entry, context) => context.newerThanMs === undefined || entry.createdAtMs > context.newerThanMs,
};
