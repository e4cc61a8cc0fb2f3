import { Code, ConnectError, type ServiceImpl } from '@connectrpc/connect';
import { IngestService, RecordEngagementRequestSchema } from '@feedmesh/contracts';
import { invalidArgument, service, validatedPerRecord } from '@feedmesh/service-kit';
import type { Repositories } from '@feedmesh/storage';
import { MAX_EVENTS_PER_BATCH } from './engagement/engagement-record.js';
import { describeRejections, type RecordEngagementDeps } from './engagement/record-engagement.js';
import { validateProtoEvents } from './engagement/validate-proto-events.js';
import { changeFollow } from './follows/follow-edge.js';
import { deleteItem } from './items/delete-item.js';
import { editItem } from './items/edit-item.js';
import { block, mute, showLess, unblock, unmute } from './preferences/viewer-preferences.js';
import { publishItem } from './publish/publish-item.js';
import { ingestActingUsers } from './request/acting-users.js';
import { directRecorder, type EngagementRecorder } from './spool/engagement-spool.js';
import { storeFailure } from './store-errors.js';

export interface IngestServiceDeps extends RecordEngagementDeps {
  storage: Repositories;
  /** Authors with more followers than this are pulled at read time (FANOUT_PULL_THRESHOLD). */
  pullThreshold: number;
  /** How long a ShowLess lasts, in ms (SHOW_LESS_PERIOD_HOURS). */
  showLessPeriodMs: number;
  /** Where a validated engagement batch goes: the store, or the spool while the store is unavailable (spool/engagement-spool.ts); the store alone unless set. */
  recordEngagementBatch?: EngagementRecorder;
}

/** Runs a method, answering a failure of Postgres' availability as Unavailable (store-errors.ts). */
async function guarded<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw storeFailure(error) ?? error;
  }
}

/** feedmesh.ingest.v1.IngestService: each method is one module; this file only wires them. */
export function createIngestService(deps: IngestServiceDeps) {
  const { storage, pullThreshold } = deps;
  const recordBatch = deps.recordEngagementBatch ?? directRecorder(deps);
  // "Invalid records are rejected one by one": the kit's message checks leave the events to
  // validateProtoEvents, which applies the same rules per record.
  validatedPerRecord(RecordEngagementRequestSchema.field.events);
  const impl: ServiceImpl<typeof IngestService> = {
    async publish(request) {
      return publishItem(storage, request);
    },
    async editItem(request) {
      return editItem(storage.items, request);
    },
    async deleteItem(request) {
      return deleteItem(storage.items, request);
    },
    async follow(request) {
      const change = await changeFollow(storage.follows, request.followerId, request.followeeId, true, pullThreshold);
      return { changed: change.changed, followerCount: BigInt(change.followerCount) };
    },
    async unfollow(request) {
      const change = await changeFollow(storage.follows, request.followerId, request.followeeId, false, pullThreshold);
      return { changed: change.changed, followerCount: BigInt(change.followerCount) };
    },
    async recordEngagement(request) {
      const count = request.events.length;
      if (count < 1 || count > MAX_EVENTS_PER_BATCH) throw invalidArgument('events', `must hold 1..${MAX_EVENTS_PER_BATCH} events, got ${count}`);
      const { records, rejections } = validateProtoEvents(request.events, Date.now());
      const outcome = await recordBatch(records, rejections);
      // A batch without one valid record is a bad request as a whole: say which record and field.
      if (outcome.accepted + outcome.duplicates === 0) {
        const { field, message } = describeRejections(outcome.errors);
        throw new ConnectError(message, Code.InvalidArgument, { 'x-field-violation': field });
      }
      return outcome;
    },
    async block(request) {
      return block(deps, request);
    },
    async unblock(request) {
      return unblock(deps, request);
    },
    async mute(request) {
      return mute(deps, request);
    },
    async unmute(request) {
      return unmute(deps, request);
    },
    async showLess(request) {
      return showLess(deps, request);
    },
  };
  const methods = impl as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>;
  for (const name of Object.keys(methods)) {
    const method = methods[name]!;
    methods[name] = (...args) => guarded(() => method(...args));
  }
  return service(IngestService, impl, { edge: ingestActingUsers });
}
