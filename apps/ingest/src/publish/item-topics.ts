/**
 * Publish carries no topic list, so an item's topics are the #hashtags in its text (lowercased,
 * deduplicated, the first MAX_TOPICS): the same slugs the seeded catalog uses as topic keys.
 */

export const MAX_TOPICS = 5;
const HASHTAG = /(?:^|[^\p{L}\p{N}_#])#([\p{L}\p{N}][\p{L}\p{N}_-]{0,31})/gu;

export function topicsOf(...texts: string[]): string[] {
  const topics: string[] = [];
  for (const text of texts) {
    for (const match of text.matchAll(HASHTAG)) {
      const topic = match[1]!.toLowerCase();
      if (!topics.includes(topic)) topics.push(topic);
      if (topics.length === MAX_TOPICS) return topics;
    }
  }
  return topics;
}
