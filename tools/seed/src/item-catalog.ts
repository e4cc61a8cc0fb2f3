import type { FollowGraph } from './follow-graph.js';
import type { Prng } from './prng.js';
import { TOPICS } from './vocabulary.js';
import { ZipfSampler } from './zipf-sampler.js';

export const ITEM_KIND = { article: 1, video: 2, live: 3 } as const;
/** Share of each kind among generated items (article 60 %, video 30 %, live 10 %). */
export const KIND_MIX = { article: 0.6, video: 0.3, live: 0.1 } as const;
export const AUTHOR_ZIPF_EXPONENT = 0.8;
export const TOPIC_ZIPF_EXPONENT = 0.7;
export const TOPICS_PER_ITEM_MAX = 3;
const NO_TOPIC = 255;

/**
 * The metadata of every item in columnar arrays. Index order is publication order: createdAtMs
 * strictly increases with the index, which keeps "latest N of these authors" a merge by index.
 */
export interface ItemCatalog {
  count: number;
  ids: string[];
  kinds: Uint8Array;
  /** Author user index (user id = index + 1). */
  authors: Int32Array;
  createdAtMs: Float64Array;
  /** TOPICS_PER_ITEM_MAX topic indexes per item, NO_TOPIC-padded. */
  topicSlots: Uint8Array;
  /** Items of author a, oldest first: authorItems[authorOffsets[a] .. authorOffsets[a + 1]). */
  authorOffsets: Int32Array;
  authorItems: Int32Array;
  /** Two "home" topics per author; most of an author's items are about them. */
  authorTopics: Uint8Array;
}

export function itemTopics(catalog: ItemCatalog, item: number): string[] {
  const topics: string[] = [];
  for (let s = 0; s < TOPICS_PER_ITEM_MAX; s++) {
    const t = catalog.topicSlots[item * TOPICS_PER_ITEM_MAX + s]!;
    if (t !== NO_TOPIC) topics.push(TOPICS[t]!);
  }
  return topics;
}

export function generateItemCatalog(
  graph: FollowGraph,
  options: { items: number; days: number; nowMs: number },
  prng: Prng,
): ItemCatalog {
  const userCount = graph.popularityRank.length;
  const count = options.items;
  const topicZipf = new ZipfSampler(TOPICS.length, TOPIC_ZIPF_EXPONENT);

  const authorTopics = new Uint8Array(userCount * 2);
  for (let u = 0; u < userCount; u++) {
    const first = topicZipf.sample(prng);
    let second = topicZipf.sample(prng);
    if (second === first) second = (first + 1 + prng.int(0, TOPICS.length - 2)) % TOPICS.length;
    authorTopics[u * 2] = first;
    authorTopics[u * 2 + 1] = second;
  }

  // Authors drawn by Zipf over the same popularity ranking as the follow graph: popular authors
  // publish most of the content.
  const authorZipf = new ZipfSampler(userCount, AUTHOR_ZIPF_EXPONENT);
  const spanMs = options.days * 86_400_000;
  const startMs = options.nowMs - spanMs;
  const ids: string[] = new Array(count);
  const kinds = new Uint8Array(count);
  const authors = new Int32Array(count);
  const createdAtMs = new Float64Array(count);
  const topicSlots = new Uint8Array(count * TOPICS_PER_ITEM_MAX).fill(NO_TOPIC);
  const perAuthor = new Int32Array(userCount);
  let previous = -Infinity;
  for (let i = 0; i < count; i++) {
    // Stratified times: one random instant inside each of `count` equal slices of the window.
    const at = Math.max(previous + 1, Math.floor(startMs + ((i + prng.next()) * spanMs) / count));
    previous = at;
    createdAtMs[i] = at;
    ids[i] = prng.uuid();
    const k = prng.next();
    kinds[i] = k < KIND_MIX.article ? ITEM_KIND.article : k < KIND_MIX.article + KIND_MIX.video ? ITEM_KIND.video : ITEM_KIND.live;
    const author = graph.byRank[authorZipf.sample(prng)]!;
    authors[i] = author;
    perAuthor[author]!++;

    const base = i * TOPICS_PER_ITEM_MAX;
    topicSlots[base] = authorTopics[author * 2 + (prng.chance(0.7) ? 0 : 1)]!;
    const extra = prng.next() < 0.5 ? 0 : prng.next() < 0.7 ? 1 : 2;
    for (let e = 1; e <= extra; e++) {
      const t = topicZipf.sample(prng);
      let duplicate = false;
      for (let s = 0; s < e; s++) if (topicSlots[base + s] === t) duplicate = true;
      if (!duplicate) topicSlots[base + e] = t;
    }
  }

  const authorOffsets = new Int32Array(userCount + 1);
  for (let u = 0; u < userCount; u++) authorOffsets[u + 1] = authorOffsets[u]! + perAuthor[u]!;
  const cursor = authorOffsets.slice(0, userCount);
  const authorItems = new Int32Array(count);
  for (let i = 0; i < count; i++) authorItems[cursor[authors[i]!]!++] = i;

  return { count, ids, kinds, authors, createdAtMs, topicSlots, authorOffsets, authorItems, authorTopics };
}
