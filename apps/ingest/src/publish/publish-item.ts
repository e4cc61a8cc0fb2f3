import { Code, ConnectError } from '@connectrpc/connect';
import type { PublishRequest } from '@feedmesh/contracts';
import { fieldError, invalidArgument } from '@feedmesh/service-kit';
import type { Repositories } from '@feedmesh/storage';
import { OUTBOX_TASKS } from '../outbox/outbox-tasks.js';
import { checkText, checkUserId } from '../request/field-checks.js';
import { initialPayload, validatePayload, type PayloadCase } from './item-payload.js';
import { PUBLISH_DIGEST_KEY, publishDigest } from './request-digest.js';

export interface PublishResult {
  itemId: string;
  replay: boolean;
}

/** The request id already created an item from another payload: a reused key, not a retry. */
function reusedRequestId(itemId: string): ConnectError {
  return new ConnectError(`request_id: already used by this author for a different payload (item ${itemId})`, Code.AlreadyExists, {
    'x-field-violation': 'request_id',
  });
}

/** Checks the request fields; InvalidArgument names the first bad field path. */
export function validatePublish(request: PublishRequest) {
  const requestIdProblem = checkText(request.requestId, 1, 128, 'none');
  if (requestIdProblem) throw invalidArgument('request_id', requestIdProblem);
  const authorProblem = checkUserId(request.authorId);
  if (authorProblem) throw invalidArgument('author_id', authorProblem);
  return validatePayload(request.payload as PayloadCase);
}

/**
 * Publish, idempotent on (author_id, request_id): a Redis claim (PublishClaimsRepository) answers most retries without
 * touching Postgres; the unique constraint decides every other case, so Redis being down or
 * losing its data can neither duplicate an item nor block publishing.
 *
 * A retry must carry the same payload (request-digest.ts): the same request_id with another
 * payload is AlreadyExists naming request_id, never a silent replay of the first item. Items
 * published before digests were stored replay whatever the payload.
 *
 * An author_id that is well-formed but names no user is FailedPrecondition (the request is valid,
 * the system state refuses it), with the field named in the message and `x-field-violation`.
 */
export async function publishItem(storage: Pick<Repositories, 'items' | 'publishClaims'>, request: PublishRequest): Promise<PublishResult> {
  const validated = validatePublish(request);
  const { authorId, requestId } = request;
  const digest = publishDigest(validated);
  const { items, publishClaims } = storage;
  const claim = await publishClaims.claim(authorId, requestId);
  if (claim.state === 'done') {
    if (claim.digest !== digest) throw reusedRequestId(claim.itemId);
    return { itemId: claim.itemId, replay: true };
  }
  try {
    const payload = { ...initialPayload(validated, new Date().toISOString()), [PUBLISH_DIGEST_KEY]: digest };
    const inserted = await items.insertPublished(
      { kind: validated.kind, authorId, payload, topics: validated.topics, requestId },
      OUTBOX_TASKS.itemPublished,
    );
    if (inserted.outcome === 'unknown-author') {
      throw fieldError(Code.FailedPrecondition, 'author_id', `user ${JSON.stringify(authorId)} does not exist`);
    }
    let result: PublishResult;
    if (inserted.outcome === 'inserted') {
      result = { itemId: inserted.itemId, replay: false };
    } else {
      const row = await items.byRequestId(authorId, requestId, PUBLISH_DIGEST_KEY);
      if (!row) throw new Error('publish conflicted but no item holds the request id');
      if (row.field !== null && row.field !== digest) throw reusedRequestId(row.id);
      result = { itemId: row.id, replay: true };
    }
    await publishClaims.complete(authorId, requestId, result.itemId, digest);
    return result;
  } catch (error) {
    if (claim.state === 'claimed') await publishClaims.release(authorId, requestId);
    throw error;
  }
}
