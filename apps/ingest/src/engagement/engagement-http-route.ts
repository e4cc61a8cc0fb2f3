import type { IncomingMessage, ServerResponse } from 'node:http';
import { Code, ConnectError } from '@connectrpc/connect';
import { codeToHttpStatus, codeToString } from '@connectrpc/connect/protocol-connect';
import { checkActingUsers, readLimitedBody, type Gate } from '@feedmesh/service-kit';
import { storeFailure } from '../store-errors.js';
import { MAX_EVENTS_PER_BATCH } from './engagement-record.js';
import { directRecorder, type EngagementRecorder } from '../spool/engagement-spool.js';
import { describeRejections, type RecordEngagementDeps } from './record-engagement.js';
import { validateJsonEvents } from './validate-json-events.js';

export interface EngagementRouteDeps extends RecordEngagementDeps {
  /** Largest body accepted (the kit's MAX_MESSAGE_BYTES). */
  maxBodyBytes: number;
  /** Who may record: the kit's edge gate, as on the RPC (`authorization: Bearer …`). */
  gate: Gate;
  /** As on the RPC (IngestServiceDeps.recordEngagementBatch): the store, or the spool while it is unavailable. */
  recordEngagementBatch?: EngagementRecorder;
}

/** A plain HTTP/1.1 route the service kit mounts beside the Connect routes. */
export interface HttpRoute {
  method: string;
  path: string;
  handler: (req: IncomingMessage, res: ServerResponse) => void;
}

export const ENGAGEMENT_ROUTE_PATH = '/v1/engagement';

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

class BodyError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/**
 * POST /v1/engagement — the strict JSON ingestion path. Body: `{"events": [{"user_id": "u1",
 * "item_id": "<uuid>", "type": "like", "occurred_at": "2025-01-01T12:00:00Z", "dwell_ms": 1200}]}`.
 *
 * Why a raw route: the Connect JSON route decodes with protobuf JSON rules, which accept "123"
 * for a number and fail the WHOLE batch on one undecodable record. Here each record is checked
 * with exact JSON types and rejected alone. Answers 200 `{accepted, rejected, duplicates,
 * errors: [{index, field, reason}], spooled: false}` when at least one record was valid (stored or
 * duplicate); 202 with `spooled: true` when the store was unavailable and the valid records went
 * to the spool instead (durably; written to the store when it is back; 503 `unavailable` when the
 * spool is full); 400 with the counts plus `code`/`message` when none was, and 400/415 for a body that
 * is not a JSON object with 1..5000 events or is over MAX_MESSAGE_BYTES (as on the Connect routes).
 * Identity as on the RPC: 401 without a valid token, 403 when an event names a user other than
 * the token's (`field` names it), and nothing of the batch is stored.
 */
export function createEngagementRoute(deps: EngagementRouteDeps): HttpRoute {
  const recordBatch = deps.recordEngagementBatch ?? directRecorder(deps);
  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const caller = await deps.gate.authenticate(req.headers.authorization);
    const contentType = req.headers['content-type'] ?? '';
    if (!/^application\/json\b/i.test(contentType)) throw new BodyError(415, 'content-type must be application/json');
    let text: string;
    try {
      // The kit's limit: beyond it the connection closes after the answer (a chunked body's rest stays unread).
      text = (await readLimitedBody(req, res, deps.maxBodyBytes)).toString('utf8');
    } catch (error) {
      throw error instanceof ConnectError ? new BodyError(400, error.rawMessage) : error;
    }
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      throw new BodyError(400, 'body is not valid JSON');
    }
    if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new BodyError(400, 'body must be a JSON object');
    const extra = Object.keys(body).find((key) => key !== 'events');
    if (extra !== undefined) throw new BodyError(400, `${extra}: is not a field of the request`);
    const events = (body as { events?: unknown }).events;
    if (!Array.isArray(events)) throw new BodyError(400, 'events: must be an array');
    if (events.length < 1 || events.length > MAX_EVENTS_PER_BATCH) throw new BodyError(400, `events: must hold 1..${MAX_EVENTS_PER_BATCH} events, got ${events.length}`);
    checkActingUsers(caller, namedUsers(events));
    const { records, rejections } = validateJsonEvents(events, Date.now());
    const outcome = await recordBatch(records, rejections);
    if (outcome.accepted + outcome.duplicates === 0) {
      const { field, message } = describeRejections(outcome.errors);
      const { spooled: _spooled, ...counts } = outcome;
      send(res, 400, { code: 'invalid_argument', message, field, ...counts });
      return;
    }
    send(res, outcome.spooled ? 202 : 200, outcome);
  };
  return {
    method: 'POST',
    path: ENGAGEMENT_ROUTE_PATH,
    handler: (req, res) => {
      handle(req, res).catch((error: unknown) => {
        if (error instanceof BodyError) {
          send(res, error.status, { code: error.status === 400 ? 'invalid_argument' : 'unsupported', message: error.message });
          req.resume();
          return;
        }
        // A refusal meant for the caller (identity: Unauthenticated, PermissionDenied; a full spool
        // or an unreachable JWKS: Unavailable), with Connect's status and code names.
        if (error instanceof ConnectError && error.code !== Code.Internal && error.code !== Code.Unknown) {
          send(res, codeToHttpStatus(error.code), { code: codeToString(error.code), message: error.rawMessage, field: error.metadata.get('x-field-violation') ?? undefined });
          req.resume();
          return;
        }
        const failure = storeFailure(error);
        if (failure) {
          // Both mean "retry the same batch": nothing of it was stored.
          const unavailable = failure.code === Code.Unavailable;
          deps.logger.warn({ err: error }, 'engagement route: store failed');
          if (!res.headersSent) send(res, unavailable ? 503 : 409, { code: unavailable ? 'unavailable' : 'aborted', message: failure.rawMessage });
          return;
        }
        deps.logger.error({ err: error }, 'engagement route failed');
        if (!res.headersSent) send(res, 500, { code: 'internal', message: 'internal error' });
      });
    },
  };
}

/** The users the batch's events name, for the acting-user rule (records without a string user_id are rejected by validation). */
function* namedUsers(events: unknown[]): Generator<readonly [string, string]> {
  for (let i = 0; i < events.length; i++) {
    const userId = (events[i] as { user_id?: unknown } | null)?.user_id;
    if (typeof userId === 'string') yield [`events[${i}].user_id`, userId];
  }
}
