// The cards the page has shown so far: later pages only add cards not shown yet, so the list
// never holds a card twice (the aggregator promises that within a paging session; the page does
// not rely on it). A restarted session clears it with the list on screen.

export interface Keyed {
  id: string;
}

export class FeedList<T extends Keyed> {
  private readonly seen = new Set<string>();

  /** The cards of `page` not shown before, in order; they count as shown from now on. */
  add(page: readonly T[]): T[] {
    const fresh: T[] = [];
    for (const card of page) {
      if (this.seen.has(card.id)) continue;
      this.seen.add(card.id);
      fresh.push(card);
    }
    return fresh;
  }

  has(id: string): boolean {
    return this.seen.has(id);
  }

  get size(): number {
    return this.seen.size;
  }

  /** A new session's list: nothing shown yet. */
  clear(): void {
    this.seen.clear();
  }
}
