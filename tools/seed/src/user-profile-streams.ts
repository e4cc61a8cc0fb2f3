import type { FollowGraph } from './follow-graph.js';
import type { ItemCatalog } from './item-catalog.js';
import { phasePrng, type Prng } from './prng.js';
import { authorAffinity, userInterests, userKindAffinity } from './user-profiles.js';
import { TOPICS } from './vocabulary.js';

/**
 * The generated per-user values (author affinities, kind preferences, interests), each drawn
 * from its own PRNG phase in user order. The COPY tables and the read model both read them
 * through this class, so Redis gets exactly the values Postgres got. Each method must be called
 * for users 0, 1, 2, ... in order (it advances its stream); an unused method costs nothing.
 */
export class UserProfileStreams {
  private readonly authorPrng: Prng;
  private readonly kindPrng: Prng;
  private readonly interestPrng: Prng;
  private readonly scratch = new Float64Array(TOPICS.length);

  constructor(
    seed: number,
    private readonly graph: FollowGraph,
    private readonly catalog: ItemCatalog,
  ) {
    this.authorPrng = phasePrng(seed, 'author-affinity');
    this.kindPrng = phasePrng(seed, 'kind-affinity');
    this.interestPrng = phasePrng(seed, 'interests');
  }

  /** User u's affinity to each followee, aligned with graph.followees[offsets[u] .. offsets[u + 1]). */
  authorScores(u: number, out: Float64Array): Float64Array {
    const start = this.graph.offsets[u]!;
    const count = this.graph.offsets[u + 1]! - start;
    const scores = out.length >= count ? out.subarray(0, count) : new Float64Array(count);
    for (let e = 0; e < count; e++) scores[e] = authorAffinity(this.authorPrng);
    return scores;
  }

  /** Preference for article, video, live (kinds 1, 2, 3). */
  kindScores(): [number, number, number] {
    return userKindAffinity(this.kindPrng);
  }

  interests(u: number): Array<[topic: string, weight: number]> {
    return userInterests(u, this.graph, this.catalog, this.scratch, this.interestPrng);
  }
}
