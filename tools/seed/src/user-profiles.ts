import type { FollowGraph } from './follow-graph.js';
import type { ItemCatalog } from './item-catalog.js';
import type { Prng } from './prng.js';
import { TOPICS } from './vocabulary.js';

export const INTERESTS_PER_USER_MAX = 5;

/**
 * A user's interests follow the home topics of the authors they follow (weight relative to the
 * strongest), plus one exploratory topic drawn at random with a low weight.
 */
export function userInterests(
  user: number,
  graph: FollowGraph,
  catalog: ItemCatalog,
  scratch: Float64Array,
  prng: Prng,
): Array<[topic: string, weight: number]> {
  scratch.fill(0);
  for (let e = graph.offsets[user]!; e < graph.offsets[user + 1]!; e++) {
    const author = graph.followees[e]!;
    scratch[catalog.authorTopics[author * 2]!]! += 2;
    scratch[catalog.authorTopics[author * 2 + 1]!]! += 1;
  }
  const ranked = [...scratch.keys()].filter((t) => scratch[t]! > 0).sort((a, b) => scratch[b]! - scratch[a]! || a - b);
  const top = ranked.slice(0, INTERESTS_PER_USER_MAX);
  const max = top.length > 0 ? scratch[top[0]!]! : 1;
  const interests: Array<[string, number]> = top.map((t) => [TOPICS[t]!, Math.round((scratch[t]! / max) * 1000) / 1000]);
  const explore = prng.int(0, TOPICS.length - 1);
  if (!top.includes(explore)) interests.push([TOPICS[explore]!, 0.2]);
  return interests;
}

/** Preference for article / video / live: a random split (Dirichlet(1)) per user, summing to ~1. */
export function userKindAffinity(prng: Prng): [number, number, number] {
  const a = -Math.log(1 - prng.next());
  const v = -Math.log(1 - prng.next());
  const l = -Math.log(1 - prng.next());
  const sum = a + v + l || 1;
  const round = (x: number) => Math.round((x / sum) * 10_000) / 10_000;
  return [round(a), round(v), round(l)];
}

/** Affinity to one followed author in (0.05, 1]: most follows are lukewarm, a few are strong. */
export function authorAffinity(prng: Prng): number {
  return Math.round((0.05 + 0.95 * prng.next() ** 2) * 1000) / 1000;
}
