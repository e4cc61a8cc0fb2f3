/** Answers "is this a demo user?" for GetFeed's user_id check. */
export interface UserLookup {
  exists(userId: string): Promise<boolean>;
}

export interface UserDirectoryOptions {
  /** How long a known user is trusted without asking Postgres again. */
  ttlMs: number;
  /** Entries kept; the oldest is evicted first. */
  maxEntries?: number;
  now?: () => number;
}

/**
 * Caches known user ids briefly: the lookup is on every page, and users are rarely deleted.
 * Unknown ids are not cached, so a user created a moment ago is found at once.
 */
export class UserDirectory implements UserLookup {
  private readonly known = new Map<string, number>();
  private readonly maxEntries: number;
  private readonly now: () => number;

  constructor(
    private readonly source: UserLookup,
    private readonly options: UserDirectoryOptions,
  ) {
    this.maxEntries = options.maxEntries ?? 100_000;
    this.now = options.now ?? Date.now;
  }

  async exists(userId: string): Promise<boolean> {
    const expiresAt = this.known.get(userId);
    if (expiresAt !== undefined && expiresAt > this.now()) return true;
    this.known.delete(userId);
    const found = await this.source.exists(userId);
    if (found) {
      if (this.known.size >= this.maxEntries) this.known.delete(this.known.keys().next().value!);
      this.known.set(userId, this.now() + this.options.ttlMs);
    }
    return found;
  }
}
