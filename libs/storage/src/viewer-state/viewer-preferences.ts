// A viewer's blocks, mutes and "show less" marks as the read path sees them: one Redis hash per
// viewer (`{u:<id>}:prefs`, the home timeline's slot), read with one HGETALL per page. Postgres
// holds the same facts durably (ingest writes both, Postgres first); the hash is the hot copy.
//
// Fields (value = end time in Unix ms, 0 = no end):
//   blocks:<user>       the viewer blocked <user>
//   blocked-by:<user>   <user> blocked the viewer (a block hides both ways)
//   mute:<author>       the viewer muted <author>
//   less-item:<item>    show less of this item
//   less-author:<id>    show less of this author
//   less-topic:<topic>  show less of this topic
import type { RedisClient } from '../redis.js';
import { redisKeys } from '../keys.js';

export type PreferenceKind = 'blocks' | 'blocked-by' | 'mute' | 'less-item' | 'less-author' | 'less-topic';

const KINDS: ReadonlySet<string> = new Set<PreferenceKind>(['blocks', 'blocked-by', 'mute', 'less-item', 'less-author', 'less-topic']);

export interface ViewerPreferences {
  /** Users whose items the viewer must not see: blocked by the viewer or blocking the viewer. */
  readonly blocked: ReadonlySet<string>;
  /** Muted authors still in effect. */
  readonly muted: ReadonlySet<string>;
  /** "Show less" marks still in effect. */
  readonly lessItems: ReadonlySet<string>;
  readonly lessAuthors: ReadonlySet<string>;
  readonly lessTopics: ReadonlySet<string>;
}

export const NO_PREFERENCES: ViewerPreferences = Object.freeze({
  blocked: new Set<string>(),
  muted: new Set<string>(),
  lessItems: new Set<string>(),
  lessAuthors: new Set<string>(),
  lessTopics: new Set<string>(),
});

/** The hash field of one preference. */
export function preferenceField(kind: PreferenceKind, id: string): string {
  return `${kind}:${id}`;
}

/** The value stored for an end time (undefined or 0: no end). */
export function preferenceUntil(untilMs: number | undefined): string {
  return String(untilMs === undefined ? 0 : Math.max(0, Math.floor(untilMs)));
}

/** Parses an HGETALL reply; entries that ended before `nowMs` and unknown fields are ignored. */
export function parseViewerPreferences(hash: Record<string, string>, nowMs: number): ViewerPreferences {
  const fields = Object.keys(hash);
  if (fields.length === 0) return NO_PREFERENCES;
  const blocked = new Set<string>();
  const muted = new Set<string>();
  const lessItems = new Set<string>();
  const lessAuthors = new Set<string>();
  const lessTopics = new Set<string>();
  const byKind: Record<PreferenceKind, Set<string>> = {
    blocks: blocked,
    'blocked-by': blocked,
    mute: muted,
    'less-item': lessItems,
    'less-author': lessAuthors,
    'less-topic': lessTopics,
  };
  for (const field of fields) {
    const colon = field.indexOf(':');
    if (colon <= 0) continue;
    const kind = field.slice(0, colon);
    if (!KINDS.has(kind)) continue;
    const until = Number(hash[field]);
    if (Number.isFinite(until) && until !== 0 && until <= nowMs) continue;
    byKind[kind as PreferenceKind].add(field.slice(colon + 1));
  }
  return { blocked, muted, lessItems, lessAuthors, lessTopics };
}

/** The viewer's preferences in effect at `nowMs` (one HGETALL). */
export async function readViewerPreferences(redis: RedisClient, userId: string, nowMs: number): Promise<ViewerPreferences> {
  return parseViewerPreferences(await redis.hgetall(redisKeys.viewerPreferences(userId)), nowMs);
}
