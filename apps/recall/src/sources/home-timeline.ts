// The user's pushed home timeline, as the "following" source reads it. The fan-out writes only
// into timelines that exist, and a timeline expires `inactiveAfterSeconds` after its user's last
// read, so nobody inactive for that long costs a fan-out any work. When a user comes back (or is
// new, or Redis lost its keys) their timeline is built here from what the fan-out would have
// pushed: the newest items of the authors they follow, from the authors' recent zsets. The page
// is served from that at once and the timeline is written back for the next read.
import {
  encodeTimelineMember,
  readHomeTimeline,
  readTopEntriesOfKeys,
  redisKeys,
  TIMELINE_MAX_LENGTH,
  type FollowsRepository,
  type RedisClient,
  type TimelinesRepository,
  type ZsetEntry,
} from '@feedmesh/storage';

export interface HomeTimelineDeps {
  redis: RedisClient;
  follows: Pick<FollowsRepository, 'pushedFollowees'>;
  timelines: Pick<TimelinesRepository, 'rebuildHome'>;
  /** A timeline's life past its user's last read; the fan-out skips expired ones. */
  inactiveAfterSeconds: number;
  /** Authors with more followers than this are pulled at read time: never in a timeline. */
  pullThreshold: number;
  /** Followed authors a rebuild reads, most recently followed first. */
  rebuildAuthorsMax: number;
  /** Entries a rebuild reads from each author's recent zset. */
  rebuildPerAuthor: number;
  onRebuild: (outcome: { entries: number; authors: number }) => void;
  onWriteBackError: (error: unknown) => void;
}

export function createHomeTimeline(deps: HomeTimelineDeps) {
  const { redis, follows, timelines, inactiveAfterSeconds } = deps;

  async function rebuild(userId: string, signal: AbortSignal): Promise<ZsetEntry[]> {
    const authors = await follows.pushedFollowees(userId, deps.pullThreshold, deps.rebuildAuthorsMax);
    signal.throwIfAborted();
    const lists = await readTopEntriesOfKeys(redis, authors.map((author) => ({ key: redisKeys.authorRecent(author), count: deps.rebuildPerAuthor })));
    const entries = lists.flat().sort((a, b) => b.score - a.score).slice(0, TIMELINE_MAX_LENGTH);
    deps.onRebuild({ entries: entries.length, authors: authors.length });
    // Not awaited: the page needs the entries, not the write; a lost write only means the next
    // read rebuilds again.
    timelines
      .rebuildHome(userId, entries.map((e) => ({ member: encodeTimelineMember(e.member), score: e.score })), inactiveAfterSeconds)
      .catch(deps.onWriteBackError);
    return entries;
  }

  return {
    /** The newest `count` entries, newest first; renews the timeline's life or rebuilds it. */
    async read(userId: string, count: number, signal: AbortSignal): Promise<ZsetEntry[]> {
      const home = await readHomeTimeline(redis, userId, count, inactiveAfterSeconds);
      if (home.exists) return home.entries;
      signal.throwIfAborted();
      return (await rebuild(userId, signal)).slice(0, count);
    },
  };
}

export type HomeTimeline = ReturnType<typeof createHomeTimeline>;
