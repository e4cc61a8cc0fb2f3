import { create } from '@bufbuild/protobuf';
import { Code } from '@connectrpc/connect';
import { PublishRequestSchema, type PublishRequest } from '@feedmesh/contracts';
import type { ClaimResult, InsertOutcome, NewItem, Repositories } from '@feedmesh/storage';
import { describe, expect, it } from 'vitest';
import { OUTBOX_TASKS } from '../outbox/outbox-tasks.js';
import { validatePayload } from './item-payload.js';
import { publishItem, validatePublish } from './publish-item.js';
import { PUBLISH_DIGEST_KEY, publishDigest } from './request-digest.js';

const request = (fields: { requestId?: string; authorId?: string; title?: string } = {}): PublishRequest =>
  create(PublishRequestSchema, {
    requestId: fields.requestId ?? 'r1',
    authorId: fields.authorId ?? 'a1',
    payload: { case: 'article', value: { title: fields.title ?? 'Hi #news', body: 'b', coverUrl: '' } },
  });
const digestOf = (r: PublishRequest) => publishDigest(validatePayload(r.payload as never));

/** The item store and the claims in memory, recording what publishItem asked of them. */
function fakeStorage(state: { claim?: ClaimResult; insert?: InsertOutcome; existing?: { id: string; field: string | null } } = {}) {
  const calls: string[] = [];
  const inserted: Array<{ item: NewItem; task: string }> = [];
  const storage = {
    publishClaims: {
      claim: async () => (calls.push('claim'), state.claim ?? { state: 'claimed' }),
      complete: async (_a: string, _r: string, itemId: string, digest: string) => void calls.push(`complete ${itemId} ${digest}`),
      release: async () => void calls.push('release'),
    },
    items: {
      insertPublished: async (item: NewItem, task: string) => (calls.push('insert'), inserted.push({ item, task }), state.insert ?? { outcome: 'inserted', itemId: 'item-1' }),
      byRequestId: async (_a: string, _r: string, field: string) => (calls.push(`lookup ${field}`), state.existing),
    },
  };
  return { storage: storage as unknown as Pick<Repositories, 'items' | 'publishClaims'>, calls, inserted };
}

describe('validatePublish', () => {
  it('names request_id, author_id, then the payload field', () => {
    expect(() => validatePublish(request({ requestId: '' }))).toThrow(expect.objectContaining({ code: Code.InvalidArgument, rawMessage: 'request_id: is required' }));
    expect(() => validatePublish(request({ requestId: 'r'.repeat(129) }))).toThrow(expect.objectContaining({ rawMessage: 'request_id: must be 1..128 characters, got 129' }));
    expect(() => validatePublish(request({ authorId: 'a b' }))).toThrow(expect.objectContaining({ rawMessage: 'author_id: must not contain braces, "|" or whitespace' }));
    expect(() => validatePublish(request({ title: '' }))).toThrow(expect.objectContaining({ rawMessage: 'article.title: is required' }));
  });
});

describe('publishItem', () => {
  it('inserts a claimed request with its digest and topics in the payload, then completes the claim', async () => {
    const { storage, calls, inserted } = fakeStorage();
    const r = request();
    expect(await publishItem(storage, r)).toEqual({ itemId: 'item-1', replay: false });
    expect(inserted).toEqual([
      {
        item: { kind: 1, authorId: 'a1', requestId: 'r1', topics: ['news'], payload: { title: 'Hi #news', body: 'b', cover_url: '', [PUBLISH_DIGEST_KEY]: digestOf(r) } },
        task: OUTBOX_TASKS.itemPublished,
      },
    ]);
    expect(calls).toEqual(['claim', 'insert', `complete item-1 ${digestOf(r)}`]);
  });

  it('answers a retry from a done claim without touching the item store', async () => {
    const r = request();
    const { storage, calls } = fakeStorage({ claim: { state: 'done', itemId: 'item-0', digest: digestOf(r) } });
    expect(await publishItem(storage, r)).toEqual({ itemId: 'item-0', replay: true });
    expect(calls).toEqual(['claim']);
  });

  it('refuses a request id reused for another payload (AlreadyExists naming request_id and the item)', async () => {
    const { storage } = fakeStorage({ claim: { state: 'done', itemId: 'item-0', digest: digestOf(request({ title: 'other' })) } });
    await expect(publishItem(storage, request())).rejects.toMatchObject({
      code: Code.AlreadyExists,
      rawMessage: 'request_id: already used by this author for a different payload (item item-0)',
    });
  });

  it('falls back on the unique constraint when Redis knows nothing: a replay of the same payload', async () => {
    const r = request();
    const { storage, calls } = fakeStorage({ claim: { state: 'unknown' }, insert: { outcome: 'exists' }, existing: { id: 'item-0', field: digestOf(r) } });
    expect(await publishItem(storage, r)).toEqual({ itemId: 'item-0', replay: true });
    expect(calls).toEqual(['claim', 'insert', `lookup ${PUBLISH_DIGEST_KEY}`, `complete item-0 ${digestOf(r)}`]);
  });

  it('replays items stored before digests whatever the payload, and refuses another digest', async () => {
    expect(await publishItem(fakeStorage({ insert: { outcome: 'exists' }, existing: { id: 'old', field: null } }).storage, request())).toEqual({ itemId: 'old', replay: true });
    const { storage, calls } = fakeStorage({ insert: { outcome: 'exists' }, existing: { id: 'item-0', field: 'another-digest' } });
    await expect(publishItem(storage, request())).rejects.toMatchObject({ code: Code.AlreadyExists });
    expect(calls.at(-1)).toBe('release');
  });

  it('refuses an author that is no user (FailedPrecondition) and releases its own claim only', async () => {
    const claimed = fakeStorage({ insert: { outcome: 'unknown-author' } });
    await expect(publishItem(claimed.storage, request())).rejects.toMatchObject({ code: Code.FailedPrecondition, rawMessage: 'author_id: user "a1" does not exist' });
    expect(claimed.calls).toEqual(['claim', 'insert', 'release']);
    const unknown = fakeStorage({ claim: { state: 'unknown' }, insert: { outcome: 'unknown-author' } });
    await expect(publishItem(unknown.storage, request())).rejects.toMatchObject({ code: Code.FailedPrecondition });
    expect(unknown.calls).toEqual(['claim', 'insert']);
  });

  it('validates before claiming', async () => {
    const { storage, calls } = fakeStorage();
    await expect(publishItem(storage, request({ title: '' }))).rejects.toMatchObject({ code: Code.InvalidArgument });
    expect(calls).toEqual([]);
  });
});
