// The BFF's JSON endpoints, as the page calls them (same origin: the login cookie goes along).
import type { FeedPageJson } from '../api-types.js';
import type { QueuedEvent } from '../engagement-queue.js';

export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

async function call<T>(method: 'GET' | 'POST', url: string, body?: unknown, init: RequestInit = {}): Promise<T> {
  const response = await fetch(url, {
    method,
    credentials: 'same-origin',
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
    ...init,
  });
  const json = (await response.json().catch(() => ({}))) as T & { error?: string };
  if (!response.ok) throw new HttpError(response.status, json.error ?? `${method} ${url}: HTTP ${response.status}`);
  return json;
}

export const api = {
  me: () => call<{ user: string | null; demoUsers: string[] }>('GET', '/api/me'),
  login: (userId: string) => call<{ user: string }>('POST', '/login', { userId }),
  logout: () => call<{ user: null }>('POST', '/logout', {}),
  feed: (cursor: string) => call<FeedPageJson>('GET', `/api/feed?cursor=${encodeURIComponent(cursor)}`),
  publish: (input: { requestId: string; title: string; body: string }) => call<{ itemId: string; replay: boolean }>('POST', '/api/publish', input),
  /** keepalive: a batch sent as the page hides still arrives. */
  engagement: async (events: QueuedEvent[]) => {
    await call('POST', '/api/engagement', { events }, { keepalive: true });
    return true;
  },
  /** The last batch as the page goes away. */
  engagementBeacon: (events: QueuedEvent[]) => navigator.sendBeacon('/api/engagement', new Blob([JSON.stringify({ events })], { type: 'application/json' })),
};
