/**
 * Per-key request coalescing for batch loads: a key already being loaded by another call in this
 * process is awaited instead of loaded again, so a hot card that expires costs one Postgres read
 * per process, not one per concurrent request.
 */
export class SingleFlight<V> {
  private readonly inFlight = new Map<string, Promise<V | undefined>>();

  /** Loads `keys`, passing only those nobody is loading yet to `loader`. */
  async load(keys: readonly string[], loader: (keys: string[]) => Promise<ReadonlyMap<string, V>>): Promise<Map<string, V>> {
    const pending: Array<[string, Promise<V | undefined>]> = [];
    const fresh: string[] = [];
    for (const key of keys) {
      const running = this.inFlight.get(key);
      if (running) pending.push([key, running]);
      else if (!fresh.includes(key)) fresh.push(key);
    }
    if (fresh.length > 0) {
      const batch = loader(fresh);
      for (const key of fresh) {
        const one = batch.then((values) => values.get(key));
        one.catch(() => {}); // surfaced through `pending` below
        this.inFlight.set(key, one);
        pending.push([key, one]);
        void one.finally(() => {
          if (this.inFlight.get(key) === one) this.inFlight.delete(key);
        }).catch(() => {});
      }
    }
    const out = new Map<string, V>();
    for (const [key, promise] of pending) {
      const value = await promise;
      if (value !== undefined) out.set(key, value);
    }
    return out;
  }

  /** Keys being loaded right now (for tests and metrics). */
  get size(): number {
    return this.inFlight.size;
  }
}
