import type { ArticlePayload, LivePayload, VideoPayload } from '@feedmesh/contracts';
import { invalidArgument } from '@feedmesh/service-kit';
import { checkHttpUrl, checkText } from '../request/field-checks.js';
import { topicsOf } from './item-topics.js';

/** The oneof shared by PublishRequest and EditItemRequest. */
export type PayloadCase =
  | { case: 'article'; value: ArticlePayload }
  | { case: 'video'; value: VideoPayload }
  | { case: 'live'; value: LivePayload }
  | { case: undefined; value?: undefined };

/** What is stored: the item kind (proto ItemKind numbers), its jsonb payload and its topics. */
export interface ValidatedPayload {
  kind: 1 | 2 | 3;
  /** User-editable fields in the schema's snake_case shape. */
  fields: Record<string, string | number>;
  topics: string[];
}

export const MAX_TITLE = 300;
export const MAX_BODY = 100_000;
export const MAX_DURATION_MS = 24 * 60 * 60 * 1000;

function check(path: string, reason: string | undefined): void {
  if (reason !== undefined) throw invalidArgument(path, reason);
}

/** Validates the payload oneof; throws InvalidArgument naming the first bad field path. */
export function validatePayload(payload: PayloadCase): ValidatedPayload {
  switch (payload.case) {
    case 'article': {
      const p = payload.value;
      check('article.title', checkText(p.title, 1, MAX_TITLE, 'none'));
      check('article.body', checkText(p.body, 1, MAX_BODY, 'line-breaks'));
      check('article.cover_url', checkHttpUrl(p.coverUrl, false));
      return { kind: 1, fields: { title: p.title, body: p.body, cover_url: p.coverUrl }, topics: topicsOf(p.title, p.body) };
    }
    case 'video': {
      const p = payload.value;
      check('video.title', checkText(p.title, 1, MAX_TITLE, 'none'));
      check('video.url', checkHttpUrl(p.url, true));
      if (p.durationMs < 1 || p.durationMs > MAX_DURATION_MS) {
        throw invalidArgument('video.duration_ms', `must be 1..${MAX_DURATION_MS} ms, got ${p.durationMs}`);
      }
      check('video.thumbnail_url', checkHttpUrl(p.thumbnailUrl, false));
      return {
        kind: 2,
        fields: { title: p.title, url: p.url, duration_ms: p.durationMs, thumbnail_url: p.thumbnailUrl },
        topics: topicsOf(p.title),
      };
    }
    case 'live': {
      const p = payload.value;
      check('live.title', checkText(p.title, 1, MAX_TITLE, 'none'));
      check('live.stream_url', checkHttpUrl(p.streamUrl, true));
      return { kind: 3, fields: { title: p.title, stream_url: p.streamUrl }, topics: topicsOf(p.title) };
    }
    default:
      throw invalidArgument('payload', 'one of article, video or live is required');
  }
}

/** Live streams publish as live now; edits keep the status fields (the payload is merged). */
export function initialPayload(validated: ValidatedPayload, nowIso: string): Record<string, unknown> {
  if (validated.kind !== 3) return validated.fields;
  return { ...validated.fields, live_status: 2, viewers: 0, started_at: nowIso };
}
