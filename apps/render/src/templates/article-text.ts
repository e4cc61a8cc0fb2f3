// Plain-text helpers for article cards.

/** The card shows at most this many characters of the body. */
export const EXCERPT_MAX_CHARS = 280;
export const READING_WORDS_PER_MINUTE = 230;

/** Drops markup and collapses whitespace (bodies may carry simple HTML). */
export function toPlainText(body: string): string {
  return body
    .replace(/<[^>]*>/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

export function countWords(text: string): number {
  const trimmed = text.trim();
  return trimmed.length === 0 ? 0 : trimmed.split(/\s+/).length;
}

/** Estimated reading time in whole seconds, rounded up. */
export function readingTimeSeconds(body: string): number {
  return Math.ceil((countWords(toPlainText(body)) * 60) / READING_WORDS_PER_MINUTE);
}

/**
 * The first whole sentences of the body that fit in `maxChars`; when even the first sentence is
 * longer, it is cut at a word boundary and ends with "…" (still within `maxChars`).
 */
export function excerpt(body: string, maxChars: number = EXCERPT_MAX_CHARS): string {
  const text = toPlainText(body);
  if (text.length <= maxChars) return text;
  const sentences = text.split(/(?<=[.!?])\s+/);
  let out = '';
  for (const sentence of sentences) {
    const next = out.length === 0 ? sentence : `${out} ${sentence}`;
    if (next.length > maxChars) break;
    out = next;
  }
  if (out.length > 0) return out;
  const cut = text.slice(0, maxChars - 1);
  const lastSpace = cut.lastIndexOf(' ');
  return `${(lastSpace > 0 ? cut.slice(0, lastSpace) : cut).replace(/[\s,;:.!?-]+$/, '')}…`;
}
