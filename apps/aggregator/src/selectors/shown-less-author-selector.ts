import type { EntrySelector } from '../pipeline/components.js';
import { demoteEntries } from './demote-entries.js';

/** Places an entry of a "show less" author or topic moves down in a fresh ranking (a default page). */
export const SHOWN_LESS_SHIFT = 20;

/**
 * ShowLess of an author (scope author), for the hiding viewer only: each of that author's
 * entries moves SHOWN_LESS_SHIFT places down the ranking. Lowered, not removed: a "show less" is
 * a hint, a mute is the rule (muted-filter.ts). Item marks are the shown-less filter's (dropped).
 */
export const shownLessAuthorSelector: EntrySelector = {
  identifier: 'shown-less-author',
  order(entries, context) {
    const less = context.preferences.lessAuthors;
    return less.size === 0 ? undefined : demoteEntries(entries, (entry) => less.has(entry.authorId), SHOWN_LESS_SHIFT);
  },
};
