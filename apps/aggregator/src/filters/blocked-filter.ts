import type { EntryFilter } from '../pipeline/components.js';

/**
 * Drops items of users the viewer blocked or who blocked the viewer (a block hides both ways),
 * whatever source produced them — including entries already in the session's ranked window, so
 * a block applies from the next page on.
 */
export const blockedFilter: EntryFilter = {
  identifier: 'blocked',
  keep: (entry, context) => !context.preferences.blocked.has(entry.authorId),
};
