// Impressions: a card counts as viewed once it has been on screen for at least `minVisibleMs`
// (1 s) without a break. Agnostic of how visibility is observed: wire an IntersectionObserver
// (or a list virtualizer's callbacks) to `visible(id)` / `hidden(id)`. One VIEW per item per
// tracker (until `reset()`), reported when the threshold is reached, not when the card leaves.
export interface ImpressionTrackerOptions {
  /** Told once per item, when it has been visible for `minVisibleMs` (e.g. `reporter.view`). */
  onImpression: (itemId: string, visibleMs: number) => void;
  /** Default 1000 ms. */
  minVisibleMs?: number;
}

export interface ImpressionTracker {
  /** The card of `itemId` is on screen (a repeat while visible changes nothing). */
  visible(itemId: string): void;
  /** It left the screen: its clock stops (under the threshold, nothing is reported). */
  hidden(itemId: string): void;
  /** Every card left the screen (page hidden, list unmounted). */
  hideAll(): void;
  /** Forgets which items were reported (a new session's list). */
  reset(): void;
  /** Items reported so far. */
  readonly reported: number;
}

export function createImpressionTracker(options: ImpressionTrackerOptions): ImpressionTracker {
  const minVisibleMs = options.minVisibleMs ?? 1_000;
  const timers = new Map<string, ReturnType<typeof setTimeout>>();
  const reported = new Set<string>();

  const hidden = (itemId: string) => {
    const timer = timers.get(itemId);
    if (timer === undefined) return;
    clearTimeout(timer);
    timers.delete(itemId);
  };

  return {
    visible(itemId) {
      if (reported.has(itemId) || timers.has(itemId)) return;
      timers.set(
        itemId,
        setTimeout(() => {
          timers.delete(itemId);
          reported.add(itemId);
          try {
            options.onImpression(itemId, minVisibleMs);
          } catch {
            // The app's callback failing must not break tracking.
          }
        }, minVisibleMs),
      );
    },
    hidden,
    hideAll() {
      for (const id of [...timers.keys()]) hidden(id);
    },
    reset() {
      for (const id of [...timers.keys()]) hidden(id);
      reported.clear();
    },
    get reported() {
      return reported.size;
    },
  };
}
