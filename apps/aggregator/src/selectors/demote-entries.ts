/**
 * The order that moves each marked entry `shift` places down (behind the next `shift` entries;
 * one near the end goes to the end), the others keeping theirs; undefined when none is marked.
 * A position shift rather than a score factor: ranking scores are not on one scale across model
 * versions, and the fallback order has none.
 */
export function demoteEntries<T>(entries: readonly T[], marked: (entry: T) => boolean, shift: number): number[] | undefined {
  let moved = false;
  const keys = entries.map((entry, i) => {
    if (!marked(entry)) return i;
    moved = true;
    return i + shift + 0.5;
  });
  if (!moved) return undefined;
  return keys.map((_, i) => i).sort((a, b) => keys[a]! - keys[b]!);
}
