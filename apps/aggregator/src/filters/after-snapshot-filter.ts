import type { EntryFilter } from '../pipeline/components.js';

/**
 * Drops items created after the session's snapshot, so a post published between two page
 * requests cannot push ranked items down into the next page (shift) or back onto it
 * (duplicate). Recall already applies the bound (`created_before_ms`); this guards the
 * fallbacks and any source that ignores it.
 */
export const afterSnapshotFilter: EntryFilter = {
  identifier: 'after-snapshot',
  keep: (entry, context) => entry.createdAtMs <= context.snapshotMs,
};
