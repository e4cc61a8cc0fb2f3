import type { EntryFilter } from '../pipeline/components.js';

/** Drops items of authors the viewer muted (until the mute ends), from the next page on. */
export const mutedFilter: EntryFilter = {
  identifier: 'muted',
  keep: (entry, context) => !context.preferences.muted.has(entry.authorId),
};
