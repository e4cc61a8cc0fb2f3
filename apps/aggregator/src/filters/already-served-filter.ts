import type { EntryFilter } from '../pipeline/components.js';

/**
 * Drops items served on an earlier page of the session. Recall already excludes them
 * (`exclude_ids`); this guards the fallbacks and any source that ignores the exclusion. A page
 * from the session's ranked window has no served set loaded (`served` undefined): the window's
 * entries past its position were never served, by construction.
 */
export const alreadyServedFilter: EntryFilter = {
  identifier: 'already-served',
  keep: (entry, context) => context.served === undefined || !context.served.has(entry.id),
};
