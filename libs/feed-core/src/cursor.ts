// The opaque paging cursor of GetFeed: "v2.<payload>.<mac>", signed, not encrypted (it holds no
// secrets: do not add any). Its format, what it binds and why: README.md, "Paging and cursors".
import { createHmac, timingSafeEqual } from 'node:crypto';
import { isValidHlc, type Hlc } from './hlc.js';

export const cursorVersion = 3;
/** Versions decodeCursor still reads: the previous ones, for cursors issued before a rollout. */
const readableVersions = new Set([1, 2, 3]);

export interface CursorPayload {
  /** Paging session id (server-side state: snapshot, served ids, ranked window, last HLC). */
  sessionId: string;
  /** The user the feed belongs to. */
  userId: string;
  /** The feed the session pages ('' in cursors of v1 and v2, issued before feeds could be chosen). */
  feedId: string;
  /** Issue time of this cursor on the session's clock; the session stores the latest. */
  hlc: Hlc;
}

export type CursorErrorReason = 'malformed' | 'tampered' | 'unsupported_version';

/** A cursor that cannot be used at all; callers map every reason to InvalidArgument. */
export class CursorError extends Error {
  override readonly name = 'CursorError';
  constructor(
    readonly reason: CursorErrorReason,
    message: string,
  ) {
    super(message);
  }
}

/** One secret or several for rotation: the first signs, every one verifies. */
export type CursorSecrets = string | Uint8Array | ReadonlyArray<string | Uint8Array>;

/** Secrets shorter than this are refused: a guessable key makes the signature worthless. */
export const minSecretBytes = 16;
/** Upper bound on what decodeCursor even looks at; real tokens are ~150 characters. */
export const maxCursorLength = 1024;

const base64url = /^[A-Za-z0-9_-]+$/;
const versionPrefix = /^v(\d{1,6})$/;

export function encodeCursor(payload: CursorPayload, secrets: CursorSecrets): string {
  const problem = payloadProblem(payload);
  if (problem !== undefined) throw new TypeError(`encodeCursor: ${problem}`);
  const [signing] = secretList(secrets);
  const { sessionId, userId, feedId, hlc } = payload;
  const compact = [sessionId, userId, feedId, hlc.wallMs, hlc.logical];
  const signed = `v${cursorVersion}.${Buffer.from(JSON.stringify(compact)).toString('base64url')}`;
  return `${signed}.${mac(signing!, signed)}`;
}

/** Verifies and parses a cursor; throws CursorError. Policy checks are `checkCursor`'s job. */
export function decodeCursor(token: string, secrets: CursorSecrets): CursorPayload {
  const keys = secretList(secrets);
  if (typeof token !== 'string' || token.length === 0 || token.length > maxCursorLength) {
    throw new CursorError('malformed', 'cursor is empty or too long');
  }
  const parts = token.split('.');
  if (parts.length !== 3 || !base64url.test(parts[1]!) || !base64url.test(parts[2]!)) {
    throw new CursorError('malformed', 'cursor is not a feedmesh cursor');
  }
  const version = versionPrefix.exec(parts[0]!);
  if (version === null) throw new CursorError('malformed', 'cursor has no version');
  // Checked before the signature: another version may sign differently.
  if (!readableVersions.has(Number(version[1]))) {
    throw new CursorError('unsupported_version', `cursor version ${version[1]} is not supported`);
  }

  // Compare MAC texts in constant time; comparing text (not decoded bytes) also rejects
  // non-canonical base64url spellings of a valid MAC.
  const signed = `${parts[0]}.${parts[1]}`;
  const given = Buffer.from(parts[2]!);
  const valid = keys.some((key) => {
    const expected = Buffer.from(mac(key, signed));
    return expected.length === given.length && timingSafeEqual(expected, given);
  });
  if (!valid) throw new CursorError('tampered', 'cursor signature does not match');

  const payload = parsePayload(Buffer.from(parts[1]!, 'base64url').toString('utf8'), Number(version[1]));
  if (payload === undefined) throw new CursorError('malformed', 'cursor payload is invalid');
  return payload;
}

function mac(key: Uint8Array, text: string): string {
  return createHmac('sha256', key).update(text).digest('base64url');
}

function secretList(secrets: CursorSecrets): Uint8Array[] {
  const list = typeof secrets === 'string' || secrets instanceof Uint8Array ? [secrets] : [...secrets];
  if (list.length === 0) throw new TypeError('cursor secrets: at least one secret is required');
  return list.map((s) => {
    const bytes = typeof s === 'string' ? Buffer.from(s, 'utf8') : s;
    if (bytes.length < minSecretBytes) {
      throw new TypeError(`cursor secrets: each secret needs at least ${minSecretBytes} bytes`);
    }
    return bytes;
  });
}

function parsePayload(json: string, version: number): CursorPayload | undefined {
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch {
    return undefined;
  }
  let fields: unknown[];
  if (version === 1) {
    // v1: [sessionId, userId, page, snapshotMs, wallMs, logical, servedCount]; the counters are
    // checked as before but no longer read.
    if (!Array.isArray(raw) || raw.length !== 7) return undefined;
    const [sessionId, userId, page, snapshotMs, wallMs, logical, servedCount] = raw as unknown[];
    if (![page, snapshotMs, servedCount].every((v) => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0)) return undefined;
    fields = [sessionId, userId, '', wallMs, logical];
  } else if (version === 2) {
    // v2: [sessionId, userId, wallMs, logical].
    if (!Array.isArray(raw) || raw.length !== 4) return undefined;
    const [sessionId, userId, wallMs, logical] = raw as unknown[];
    fields = [sessionId, userId, '', wallMs, logical];
  } else {
    if (!Array.isArray(raw) || raw.length !== 5) return undefined;
    fields = raw as unknown[];
  }
  const [sessionId, userId, feedId, wallMs, logical] = fields;
  const payload = { sessionId, userId, feedId, hlc: { wallMs, logical } } as CursorPayload;
  return payloadProblem(payload) === undefined ? payload : undefined;
}

function payloadProblem(p: CursorPayload): string | undefined {
  if (typeof p.sessionId !== 'string' || p.sessionId.length === 0 || p.sessionId.length > 128) {
    return 'sessionId must be a string of 1..128 characters';
  }
  if (typeof p.userId !== 'string' || p.userId.length === 0 || p.userId.length > 128) {
    return 'userId must be a string of 1..128 characters';
  }
  if (typeof p.feedId !== 'string' || p.feedId.length > 64) return 'feedId must be a string of at most 64 characters';
  if (!isValidHlc(p.hlc)) return 'hlc must hold integers >= 0';
  return undefined;
}
