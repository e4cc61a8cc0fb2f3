import type { EntrySelector } from '../pipeline/components.js';
import { demoteEntries } from './demote-entries.js';
import { SHOWN_LESS_SHIFT } from './shown-less-author-selector.js';

/**
 * ShowLess of a topic (scope topic), for the hiding viewer only: each entry of that topic moves
 * SHOWN_LESS_SHIFT places down. The skeleton carries no topics, so "of that topic" is membership
 * in the topic's recent zset (what recall's interest source reads, TOPIC_RECENT_MAX newest),
 * read only for a viewer with topic marks: an older item of the topic keeps its place.
 */
export const shownLessTopicSelector: EntrySelector = {
  identifier: 'shown-less-topic',
  order(entries, context) {
    const items = context.lessTopicItems;
    return items.size === 0 ? undefined : demoteEntries(entries, (entry) => items.has(entry.id), SHOWN_LESS_SHIFT);
  },
};
