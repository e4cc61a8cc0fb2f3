// What the page may send, checked before anything reaches the mesh. Pure functions: the routes
// answer 400 with the message of a RequestError.
import type { EngagementInput, EngagementKind } from '@feedmesh/client';

export class RequestError extends Error {}

const kinds: readonly EngagementKind[] = ['VIEW', 'LIKE', 'SHARE', 'HIDE', 'CLICK'];
const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const maxEventsPerPost = 100;
/** An event's own time is kept when it is at most this far from the server's clock. */
export const maxClockSkewMs = 10 * 60_000;

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * `{ events: [{ itemId, type, dwellMs?, occurredAtMs? }] }` from the page. The page fixes each
 * event's time when it happens, so a POST it sends again (a lost answer, a beacon after a fetch)
 * carries the same events with the same times: ingest stores each (user, item, type, time) once.
 */
export function parseEngagement(body: unknown, nowMs: number): EngagementInput[] {
  if (!isObject(body) || !Array.isArray(body.events)) throw new RequestError('expected { events: [...] }');
  if (body.events.length === 0 || body.events.length > maxEventsPerPost) throw new RequestError(`expected 1..${maxEventsPerPost} events, got ${body.events.length}`);
  return body.events.map((event, i): EngagementInput => {
    if (!isObject(event)) throw new RequestError(`events[${i}] is not an object`);
    const { itemId, type, dwellMs, occurredAtMs } = event;
    if (typeof itemId !== 'string' || !uuid.test(itemId)) throw new RequestError(`events[${i}].itemId must be an item id`);
    if (typeof type !== 'string' || !kinds.includes(type as EngagementKind)) throw new RequestError(`events[${i}].type must be one of ${kinds.join(', ')}`);
    if (dwellMs !== undefined && (typeof dwellMs !== 'number' || !Number.isFinite(dwellMs) || dwellMs < 0 || dwellMs > 86_400_000)) throw new RequestError(`events[${i}].dwellMs must be 0..86400000`);
    const at = typeof occurredAtMs === 'number' && Number.isInteger(occurredAtMs) && Math.abs(occurredAtMs - nowMs) <= maxClockSkewMs ? occurredAtMs : nowMs;
    return { itemId, type: type as EngagementKind, dwellMs: dwellMs === undefined ? undefined : Math.round(dwellMs), occurredAtMs: at };
  });
}

export interface PublishInput {
  /** The page's idempotency key: a double submit publishes once. */
  requestId: string;
  title: string;
  body: string;
}

export const maxTitleLength = 200;
export const maxBodyLength = 10_000;

export function parsePublish(body: unknown): PublishInput {
  if (!isObject(body)) throw new RequestError('expected { requestId, title, body }');
  const { requestId, title, body: text } = body;
  if (typeof requestId !== 'string' || !/^[A-Za-z0-9_-]{8,128}$/.test(requestId)) throw new RequestError('requestId must be 8..128 characters of [A-Za-z0-9_-]');
  if (typeof title !== 'string' || title.trim() === '' || title.length > maxTitleLength) throw new RequestError(`title must be 1..${maxTitleLength} characters`);
  if (typeof text !== 'string' || text.trim() === '' || text.length > maxBodyLength) throw new RequestError(`body must be 1..${maxBodyLength} characters`);
  return { requestId, title: title.trim(), body: text.trim() };
}
