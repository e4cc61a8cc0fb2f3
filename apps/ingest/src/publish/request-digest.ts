import { createHash } from 'node:crypto';
import type { ValidatedPayload } from './item-payload.js';

/**
 * What "the same Publish" means for idempotency: the same author and request_id (the key) and the
 * same payload, i.e. the same kind and the same value of every user-set field after decoding
 * (so JSON or binary encoding, field order and an omitted vs. explicitly empty field do not
 * matter), compared code unit for code unit (no Unicode normalization: a different byte
 * sequence is a different payload). Server-set fields (a live stream's status, start time) are
 * not part of it.
 *
 * The digest is 16 bytes of SHA-256 over the canonical JSON of [kind, fields sorted by name], as
 * base64url (22 characters). It is stored with the claim: in the item row (payload key
 * PUBLISH_DIGEST_KEY, written in the insert itself, kept by edits, which merge the payload and
 * never set it) and in the Redis claim.
 */
export function publishDigest(validated: ValidatedPayload): string {
  const fields = Object.keys(validated.fields)
    .sort()
    .map((name) => [name, validated.fields[name]]);
  return createHash('sha256').update(JSON.stringify([validated.kind, fields])).digest().subarray(0, 16).toString('base64url');
}

/** The payload key holding the digest; read-side templates read only their named fields. */
export const PUBLISH_DIGEST_KEY = 'publish_digest';
