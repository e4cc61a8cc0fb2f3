import { fromBinary, toBinary } from '@bufbuild/protobuf';
import { RankedBlockSchema, type RankedBlock } from '@feedmesh/contracts';
import { rankedEntries, UUID_BYTES } from '@feedmesh/feed-core';
import type { EntrySelector, SelectorContext, Skeleton } from '../pipeline/components.js';
import { toSkeletonEntries } from '../pipeline/skeleton-entry.js';

export interface SelectorResult {
  skeleton: Skeleton;
  /** Selector identifier → entries it moved (or dropped) out of their place. */
  moved: Record<string, number>;
  /** Entries a selector removed (SEEN_ITEMS=drop). */
  dropped: Record<string, number>;
  /** Selector identifier → its wall time in ms (debug timings). */
  spentMs: Record<string, number>;
}

type Row = { id: string; authorId: string };

/** Runs the selectors over rows in turn; the composed order, or undefined when none moved a row. */
function compose(
  rows: readonly Row[],
  selectors: readonly EntrySelector[],
  context: SelectorContext,
  moved: Record<string, number>,
  dropped: Record<string, number>,
  spentMs: Record<string, number>,
): number[] | undefined {
  let order: number[] | undefined;
  let current: readonly Row[] = rows;
  for (const selector of selectors) {
    const started = performance.now();
    const step = selector.order(current, context);
    spentMs[selector.identifier] = (spentMs[selector.identifier] ?? 0) + performance.now() - started;
    if (step === undefined) continue;
    moved[selector.identifier] = step.reduce((n, from, to) => n + (from === to ? 0 : 1), 0);
    dropped[selector.identifier] = current.length - step.length;
    const base = order ?? current.map((_, i) => i);
    order = step.map((i) => base[i]!);
    current = order.map((i) => rows[i]!);
  }
  return order;
}

/** The block's rows in `order` (a permutation of, or a subset of, its indexes). */
export function reorderRankedBlock(block: RankedBlock, order: readonly number[]): RankedBlock {
  const n = order.length;
  const itemIds = new Uint8Array(n * UUID_BYTES);
  const kinds = new Uint8Array(n);
  order.forEach((i, k) => {
    itemIds.set(block.itemIds.subarray(i * UUID_BYTES, (i + 1) * UUID_BYTES), k * UUID_BYTES);
    kinds[k] = block.kinds[i]!;
  });
  const pick = <T>(values: readonly T[]) => order.map((i) => values[i]!);
  return {
    ...block,
    count: n,
    itemIds,
    kinds,
    authorIndex: pick(block.authorIndex),
    createdAtMs: pick(block.createdAtMs),
    scores: pick(block.scores),
    sourceMask: pick(block.sourceMask),
  };
}

/**
 * The selectors over a fresh ranking, BEFORE its window is stored with the session: entries and
 * the stored ranked block move together, so the session's later pages continue this order.
 * Costs nothing when no selector has anything to move (no seen item, no "show less" author among
 * the entries): the block is decoded only when something moves.
 */
export function applySelectors(skeleton: Skeleton, selectors: readonly EntrySelector[], context: SelectorContext): SelectorResult {
  const moved: Record<string, number> = {};
  const dropped: Record<string, number> = {};
  const spentMs: Record<string, number> = {};
  const order = compose(skeleton.entries, selectors, context, moved, dropped, spentMs);
  if (order === undefined) return { skeleton, moved, dropped, spentMs };
  const w = skeleton.window;
  if (w.kind !== 'ranked') return { skeleton: { ...skeleton, entries: order.map((i) => skeleton.entries[i]!) }, moved, dropped, spentMs };
  // The window's block may hold rows of a kind this build skips (entries ⊆ rows): order the rows.
  const block = fromBinary(RankedBlockSchema, w.window.block);
  const rows = rankedEntries(block);
  const rowMoved: Record<string, number> = {};
  const rowDropped: Record<string, number> = {};
  const rowOrder = compose(rows, selectors, context, rowMoved, rowDropped, spentMs) ?? rows.map((_, i) => i);
  const reordered = reorderRankedBlock(block, rowOrder);
  const entries = toSkeletonEntries(rowOrder.map((i) => rows[i]!));
  return {
    skeleton: { ...skeleton, entries, window: { kind: 'ranked', window: { ...w.window, block: toBinary(RankedBlockSchema, reordered), size: entries.length } } },
    moved,
    dropped,
    spentMs,
  };
}
