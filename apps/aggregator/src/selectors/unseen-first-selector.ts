import type { EntrySelector } from '../pipeline/components.js';

/**
 * A fresh ranking puts the items the viewer has already seen (VIEW engagement, within
 * SEEN_TTL_HOURS; the seen set read with the preferences) behind the unseen ones, keeping the
 * ranked order within each part, so opening the app again does not show the same top page.
 * SEEN_ITEMS=drop removes them instead — but never below what one page needs (`minKeep`): the
 * best seen entries then fill the rest, so a viewer who saw everything still gets a feed.
 * Runs only where a page ranks afresh (see run-pipeline.ts): later pages of a session come from
 * the window stored with it, already in this order.
 */
export const unseenFirstSelector: EntrySelector = {
  identifier: 'unseen-first',
  order(entries, context) {
    const seen = context.seen;
    if (seen.size === 0) return undefined;
    const unseen: number[] = [];
    const seenAt: number[] = [];
    entries.forEach((entry, i) => (seen.has(entry.id) ? seenAt : unseen).push(i));
    if (seenAt.length === 0) return undefined;
    if (context.seenItems === 'drop') return [...unseen, ...seenAt.slice(0, Math.max(0, context.minKeep - unseen.length))];
    return unseen.concat(seenAt);
  },
};
