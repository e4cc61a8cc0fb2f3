import { timestampFromMs, timestampMs, type Timestamp } from '@bufbuild/protobuf/wkt';
import { Code } from '@connectrpc/connect';
import {
  ItemStatus,
  ShowLessScope,
  type BlockRequest,
  type MuteRequest,
  type ShowLessRequest,
  type UnblockRequest,
  type UnmuteRequest,
} from '@feedmesh/contracts';
import { fieldError, invalidArgument, quoted, unavailable } from '@feedmesh/service-kit';
import { PreferencesHashWriteError, type PreferenceChange, type Repositories, type ShowLessScopeName } from '@feedmesh/storage';
import { changeFollow } from '../follows/follow-edge.js';
import { checkItemId, checkText, checkUserId, unknownUser } from '../request/field-checks.js';

export interface ViewerPreferencesDeps {
  storage: Repositories;
  pullThreshold: number;
  /** How long a "show less" lasts (SHOW_LESS_PERIOD_HOURS). */
  showLessPeriodMs: number;
  now?: () => number;
}

/** Checks a (viewer, other user) pair: both ids well-formed, and not the same user. */
export function validatePair(userId: string, otherField: string, otherId: string, self: string): void {
  const userProblem = checkUserId(userId);
  if (userProblem) throw invalidArgument('user_id', userProblem);
  const otherProblem = checkUserId(otherId);
  if (otherProblem) throw invalidArgument(otherField, otherProblem);
  if (userId === otherId) throw invalidArgument(otherField, `a user cannot ${self} themselves`);
}

/** The longest timed mute; longer is a permanent mute (no until), and Postgres' range is never near. */
export const MAX_MUTE_MS = 100 * 365 * 86_400_000;

/** The mute's end in ms (undefined: no end); an end not in the next 100 years is InvalidArgument naming `until`. */
export function muteUntilMs(until: Timestamp | undefined, nowMs: number): number | undefined {
  if (until === undefined) return undefined;
  const ms = timestampMs(until);
  if (!Number.isFinite(ms) || ms <= nowMs) throw invalidArgument('until', 'must be in the future');
  if (ms > nowMs + MAX_MUTE_MS) throw invalidArgument('until', 'must be within 100 years; leave it unset for a mute without end');
  return ms;
}

export interface ShowLessItem {
  authorId: string;
  topics: readonly string[];
}

/** What a ShowLess lowers: the scope and the id its hash field names (item id, author id or topic). */
export function showLessTarget(request: Pick<ShowLessRequest, 'itemId' | 'scope' | 'topic'>, item: ShowLessItem): { scope: ShowLessScopeName; targetId: string } {
  switch (request.scope) {
    case ShowLessScope.AUTHOR:
      return { scope: 'author', targetId: item.authorId };
    case ShowLessScope.TOPIC:
      if (!item.topics.includes(request.topic)) throw invalidArgument('topic', `${quoted(request.topic)} is not one of the item's topics`);
      return { scope: 'topic', targetId: request.topic };
    case ShowLessScope.ITEM:
    case ShowLessScope.UNSPECIFIED:
      return { scope: 'item', targetId: request.itemId };
    default:
      throw invalidArgument('scope', `unknown scope ${String(request.scope)}`);
  }
}

/** The hash write after the commit failed: Unavailable, the caller retries (every call here is idempotent). */
async function hashWrite<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof PreferencesHashWriteError) throw unavailable(error.message, { component: 'the viewer preferences store', cause: error });
    throw error;
  }
}

function changedOf(change: PreferenceChange): boolean {
  if (change.outcome === 'unknown-user') throw unknownUser(change.field, change.userId);
  return change.changed;
}

/**
 * user blocks target: the block (Postgres, then both users' hashes), then the follow edges between
 * them removed both ways through the unfollow path (its outbox events and counters included).
 */
export async function block(deps: ViewerPreferencesDeps, request: BlockRequest): Promise<{ changed: boolean }> {
  validatePair(request.userId, 'target_user_id', request.targetUserId, 'block');
  const changed = changedOf(await hashWrite(() => deps.storage.viewerPreferences.block(request.userId, request.targetUserId)));
  await changeFollow(deps.storage.follows, request.userId, request.targetUserId, false, deps.pullThreshold);
  await changeFollow(deps.storage.follows, request.targetUserId, request.userId, false, deps.pullThreshold);
  return { changed };
}

export async function unblock(deps: ViewerPreferencesDeps, request: UnblockRequest): Promise<{ changed: boolean }> {
  validatePair(request.userId, 'target_user_id', request.targetUserId, 'unblock');
  return { changed: changedOf(await hashWrite(() => deps.storage.viewerPreferences.unblock(request.userId, request.targetUserId))) };
}

export async function mute(deps: ViewerPreferencesDeps, request: MuteRequest): Promise<{ changed: boolean }> {
  validatePair(request.userId, 'author_id', request.authorId, 'mute');
  const untilMs = muteUntilMs(request.until, (deps.now ?? Date.now)());
  return { changed: changedOf(await hashWrite(() => deps.storage.viewerPreferences.mute(request.userId, request.authorId, untilMs))) };
}

export async function unmute(deps: ViewerPreferencesDeps, request: UnmuteRequest): Promise<{ changed: boolean }> {
  validatePair(request.userId, 'author_id', request.authorId, 'unmute');
  return { changed: changedOf(await hashWrite(() => deps.storage.viewerPreferences.unmute(request.userId, request.authorId))) };
}

/** "Show less like this" of an existing item (or its author, or one of its topics), for the configured period. */
export async function showLess(deps: ViewerPreferencesDeps, request: ShowLessRequest): Promise<{ until: Timestamp }> {
  const userProblem = checkUserId(request.userId);
  if (userProblem) throw invalidArgument('user_id', userProblem);
  const itemProblem = checkItemId(request.itemId);
  if (itemProblem) throw invalidArgument('item_id', itemProblem);
  if (request.scope === ShowLessScope.TOPIC) {
    const topicProblem = checkText(request.topic, 1, 256, 'none');
    if (topicProblem) throw invalidArgument('topic', topicProblem);
  }
  if (request.requestId !== '') {
    const keyProblem = checkText(request.requestId, 1, 128, 'none');
    if (keyProblem) throw invalidArgument('request_id', keyProblem);
  }
  const item = await deps.storage.items.indexable(request.itemId);
  if (!item || item.status !== ItemStatus.ACTIVE) {
    throw fieldError(Code.NotFound, 'item_id', `item ${request.itemId} does not exist`);
  }
  const target = showLessTarget(request, item);
  const untilMs = (deps.now ?? Date.now)() + deps.showLessPeriodMs;
  const change = await hashWrite(() =>
    deps.storage.viewerPreferences.showLess({ userId: request.userId, ...target, untilMs, requestId: request.requestId || undefined }),
  );
  if (change.outcome === 'unknown-user') throw unknownUser(change.field, change.userId);
  return { until: timestampFromMs(change.untilMs) };
}
