import { ITEM_KIND, itemTopics, type ItemCatalog } from './item-catalog.js';
import type { Prng } from './prng.js';
import { NOUNS, TITLE_OPENERS, WORDS } from './vocabulary.js';

/** proto LiveStatus numbers. */
export const LIVE_STATUS = { scheduled: 1, live: 2, ended: 3 } as const;

const HOUR_MS = 3_600_000;

function sentence(prng: Prng, words: number): string {
  const parts: string[] = new Array(words);
  for (let w = 0; w < words; w++) parts[w] = prng.pick(WORDS);
  const text = parts.join(' ');
  return `${text[0]!.toUpperCase()}${text.slice(1)}.`;
}

function title(prng: Prng, topic: string): string {
  return `${prng.pick(TITLE_OPENERS)} ${topic} ${prng.pick(NOUNS)}s: ${sentence(prng, prng.int(3, 7)).slice(0, -1)}`;
}

function articleBody(prng: Prng): string {
  const paragraphs: string[] = [];
  const paragraphCount = prng.int(1, 4);
  for (let p = 0; p < paragraphCount; p++) {
    const sentences: string[] = [];
    const sentenceCount = prng.int(2, 5);
    for (let s = 0; s < sentenceCount; s++) sentences.push(sentence(prng, prng.int(6, 16)));
    paragraphs.push(sentences.join(' '));
  }
  return paragraphs.join('\n\n');
}

/**
 * The jsonb payload of item i, shaped per kind as the schema documents:
 * article {title, body, cover_url}; video {title, url, duration_ms, thumbnail_url};
 * live {title, stream_url, live_status, viewers, started_at}. URLs are on example.com.
 */
export function itemPayload(catalog: ItemCatalog, i: number, nowMs: number, prng: Prng): Record<string, unknown> {
  const id = catalog.ids[i]!;
  const topic = itemTopics(catalog, i)[0] ?? 'misc';
  const kind = catalog.kinds[i]!;
  if (kind === ITEM_KIND.article) {
    return {
      title: title(prng, topic),
      body: articleBody(prng),
      cover_url: prng.chance(0.8) ? `https://example.com/covers/${id}.jpg` : '',
    };
  }
  if (kind === ITEM_KIND.video) {
    // Mostly short clips, some long videos.
    const durationMs = prng.chance(0.7) ? prng.int(10, 180) * 1000 : prng.int(180, 3600) * 1000;
    return {
      title: title(prng, topic),
      url: `https://example.com/videos/${id}/master.m3u8`,
      duration_ms: durationMs,
      thumbnail_url: `https://example.com/videos/${id}/thumb.jpg`,
    };
  }
  // Live: streams announced recently may still be scheduled; those started within the last few
  // hours are live with a heavy-tailed audience; older ones have ended.
  const createdAt = catalog.createdAtMs[i]!;
  const ageMs = nowMs - createdAt;
  const scheduled = ageMs < 2 * HOUR_MS && prng.chance(0.3);
  const live = !scheduled && ageMs < 4 * HOUR_MS;
  return {
    title: title(prng, topic),
    stream_url: `https://example.com/live/${id}/index.m3u8`,
    live_status: scheduled ? LIVE_STATUS.scheduled : live ? LIVE_STATUS.live : LIVE_STATUS.ended,
    viewers: live ? Math.round(Math.min(prng.pareto(1.2), 10_000) * 20) : 0,
    started_at: scheduled ? null : new Date(createdAt).toISOString(),
  };
}
