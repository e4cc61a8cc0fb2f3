import type { EntryFilter } from '../pipeline/components.js';

/** Drops an item the viewer asked to see less of (ShowLess, item scope), for the feedback period. */
export const shownLessFilter: EntryFilter = {
  identifier: 'shown-less',
  keep: (entry, context) => !context.preferences.lessItems.has(entry.id),
};
