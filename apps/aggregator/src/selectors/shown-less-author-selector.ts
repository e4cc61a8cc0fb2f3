import type { EntrySelector } from '../pipeline/components.js';

/** Places an entry of a "show less" author moves down in a fresh ranking (a default page). */
export const SHOWN_LESS_AUTHOR_SHIFT = 20;

/**
 * ShowLess of an author (scope author), for the hiding viewer only: each of that author's
 * entries moves SHOWN_LESS_AUTHOR_SHIFT places down the ranking (behind the next 20 entries; an
 * entry near the end goes to the end), the others keep their order. Lowered, not removed: a
 * "show less" is a hint, a mute is the rule (muted-filter.ts). A position shift rather than a
 * score factor, because ranking scores are not on one scale across model versions and the
 * fallback order has none. Item marks are the shown-less filter's (dropped); topic marks are
 * not applied on this path: the skeleton carries no topics.
 */
export const shownLessAuthorSelector: EntrySelector = {
  identifier: 'shown-less-author',
  order(entries, context) {
    const less = context.preferences.lessAuthors;
    if (less.size === 0) return undefined;
    let moved = false;
    const keys = entries.map((entry, i) => {
      if (!less.has(entry.authorId)) return i;
      moved = true;
      return i + SHOWN_LESS_AUTHOR_SHIFT + 0.5;
    });
    if (!moved) return undefined;
    return keys.map((_, i) => i).sort((a, b) => keys[a]! - keys[b]!);
  },
};
