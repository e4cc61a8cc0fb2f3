/**
 * K-way merge of per-author item lists (each sorted oldest first by item index, which is
 * publication order) that yields the `limit` newest items overall, newest first. A binary max-heap
 * over the authors' current heads: O(limit * log k) per timeline instead of sorting every item
 * of every followed author.
 */
export class LatestItemsMerge {
  private heapItem = new Int32Array(128);
  private heapSource = new Int32Array(128);
  private cursor = new Int32Array(128);
  private size = 0;

  constructor(
    private readonly offsets: Int32Array,
    private readonly items: Int32Array,
  ) {}

  /** Writes the newest `limit` items of `sources` (author indexes) into out; returns the count. */
  merge(sources: ArrayLike<number>, limit: number, out: Int32Array): number {
    this.reserve(sources.length);
    this.size = 0;
    for (let s = 0; s < sources.length; s++) {
      const author = sources[s]!;
      const end = this.offsets[author + 1]!;
      if (end > this.offsets[author]!) {
        this.cursor[s] = end - 1;
        this.push(this.items[end - 1]!, s);
      }
    }
    let written = 0;
    while (this.size > 0 && written < limit) {
      const item = this.heapItem[0]!;
      const s = this.heapSource[0]!;
      out[written++] = item;
      const author = sources[s]!;
      const next = this.cursor[s]! - 1;
      if (next >= this.offsets[author]!) {
        this.cursor[s] = next;
        this.heapItem[0] = this.items[next]!;
        this.siftDown(0);
      } else {
        this.size--;
        if (this.size > 0) {
          this.heapItem[0] = this.heapItem[this.size]!;
          this.heapSource[0] = this.heapSource[this.size]!;
          this.siftDown(0);
        }
      }
    }
    return written;
  }

  private reserve(n: number): void {
    if (n <= this.heapItem.length) return;
    this.heapItem = new Int32Array(n);
    this.heapSource = new Int32Array(n);
    this.cursor = new Int32Array(n);
  }

  private push(item: number, source: number): void {
    let i = this.size++;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (this.heapItem[parent]! >= item) break;
      this.heapItem[i] = this.heapItem[parent]!;
      this.heapSource[i] = this.heapSource[parent]!;
      i = parent;
    }
    this.heapItem[i] = item;
    this.heapSource[i] = source;
  }

  private siftDown(start: number): void {
    const item = this.heapItem[start]!;
    const source = this.heapSource[start]!;
    let i = start;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= this.size) break;
      const right = left + 1;
      const child = right < this.size && this.heapItem[right]! > this.heapItem[left]! ? right : left;
      if (this.heapItem[child]! <= item) break;
      this.heapItem[i] = this.heapItem[child]!;
      this.heapSource[i] = this.heapSource[child]!;
      i = child;
    }
    this.heapItem[i] = item;
    this.heapSource[i] = source;
  }
}
