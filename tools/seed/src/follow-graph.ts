import type { Prng } from './prng.js';
import { ZipfSampler } from './zipf-sampler.js';

/**
 * A power-law follow graph in compressed sparse rows: the followees of user u are
 * followees[offsets[u] .. offsets[u + 1]). Users are 0-based indexes here (user id = u + 1).
 */
export interface FollowGraph {
  offsets: Int32Array;
  followees: Int32Array;
  followerCounts: Int32Array;
  /** popularityRank[u]: 0 is the most followed-to-be author. */
  popularityRank: Int32Array;
  /** byRank[r]: the user with popularity rank r. */
  byRank: Int32Array;
}

export const FOLLOW_ZIPF_EXPONENT = 1.0;
export const MIN_FOLLOWS = 20;
export const MAX_FOLLOWS = 100;

/**
 * Every user follows 20..100 authors (skewed towards fewer), each drawn by Zipf over a random
 * popularity ranking: a handful of authors end up followed by most users, the median author by a
 * few. At 100k users the top ~50 authors exceed the 10k-follower pull threshold.
 */
export function generateFollowGraph(userCount: number, prng: Prng): FollowGraph {
  const byRank = new Int32Array(userCount);
  for (let i = 0; i < userCount; i++) byRank[i] = i;
  for (let i = userCount - 1; i > 0; i--) {
    const j = Math.floor(prng.next() * (i + 1));
    const t = byRank[i]!;
    byRank[i] = byRank[j]!;
    byRank[j] = t;
  }
  const popularityRank = new Int32Array(userCount);
  for (let r = 0; r < userCount; r++) popularityRank[byRank[r]!] = r;

  const zipf = new ZipfSampler(userCount, FOLLOW_ZIPF_EXPONENT);
  // Small graphs cannot give everyone 100 distinct Zipf-drawn followees; cap at a quarter.
  const maxFollows = Math.max(1, Math.min(MAX_FOLLOWS, Math.floor((userCount - 1) / 4)));
  const minFollows = Math.min(MIN_FOLLOWS, maxFollows);
  const offsets = new Int32Array(userCount + 1);
  let followees = new Int32Array(userCount * Math.round((minFollows + maxFollows) / 2) + 1024);
  const followerCounts = new Int32Array(userCount);
  // seenBy[v] === u + 1 marks v as already followed by u: O(1) dedupe without a Set per user.
  const seenBy = new Int32Array(userCount);
  let edges = 0;
  for (let u = 0; u < userCount; u++) {
    offsets[u] = edges;
    const wanted = minFollows + Math.floor((maxFollows - minFollows + 1) * prng.next() ** 2);
    if (edges + wanted > followees.length) {
      const grown = new Int32Array(Math.ceil(followees.length * 1.5) + wanted);
      grown.set(followees);
      followees = grown;
    }
    let got = 0;
    for (let attempt = 0; got < wanted && attempt < wanted * 50; attempt++) {
      const v = byRank[zipf.sample(prng)]!;
      if (v === u || seenBy[v] === u + 1) continue;
      seenBy[v] = u + 1;
      followees[edges++] = v;
      followerCounts[v]!++;
      got++;
    }
  }
  offsets[userCount] = edges;
  return { offsets, followees: followees.slice(0, edges), followerCounts, popularityRank, byRank };
}
