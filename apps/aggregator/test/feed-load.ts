// Light GetFeed load for fault tests: a few loops of first pages (each one needs recall, ranking
// and render), every answer recorded with the time it arrived, so a test can tell when the
// service was healthy again after a fault.
import { Code, ConnectError } from '@connectrpc/connect';
import type { FeedService } from '@feedmesh/contracts';
import type { ServiceClient } from '@feedmesh/service-kit';

/** `ok`: a full page, not degraded; otherwise the degraded reasons or the error code's name. */
export interface Outcome {
  /** When the call was sent and when its answer arrived. */
  sentMs: number;
  atMs: number;
  ok: boolean;
  what: string;
}

export interface FeedLoad {
  readonly outcomes: Outcome[];
  stop(): Promise<void>;
}

export function startFeedLoad(feed: ServiceClient<typeof FeedService>, users: readonly string[], { loops = 2, pauseMs = 20, timeoutMs = 2_000 } = {}): FeedLoad {
  const outcomes: Outcome[] = [];
  let running = true;
  let n = 0;
  const loop = async () => {
    while (running) {
      const userId = users[n++ % users.length]!;
      const sentMs = Date.now();
      try {
        const page = await feed.getFeed({ userId, pageSize: 10 }, { timeoutMs });
        outcomes.push({ sentMs, atMs: Date.now(), ok: !page.degraded && page.items.length > 0, what: page.degraded ? page.degradedReasons.join(', ') : 'ok' });
      } catch (error) {
        outcomes.push({ sentMs, atMs: Date.now(), ok: false, what: error instanceof ConnectError ? `${Code[error.code]}: ${error.rawMessage}` : String(error) });
      }
      await new Promise((r) => setTimeout(r, pauseMs));
    }
  };
  const loopsDone = Promise.all(Array.from({ length: loops }, loop));
  return {
    outcomes,
    stop: async () => {
      running = false;
      await loopsDone;
    },
  };
}

/** Resolves at the first 200 of the app's /readyz (the moment a load balancer would send traffic). */
export async function waitUntilReady(address: string, limitMs = 10_000): Promise<number> {
  const deadline = Date.now() + limitMs;
  while (Date.now() < deadline) {
    const ok = await fetch(`http://${address}/readyz`)
      .then((r) => r.ok)
      .catch(() => false);
    if (ok) return Date.now();
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`${address} was not ready within ${limitMs} ms`);
}

/**
 * Milliseconds from `sinceMs` to the last answer that `blames` a fault (0 when none after it).
 * Only answers naming the fault count: on a busy box an unrelated stage may be late now and then.
 */
export function recoveryMs(outcomes: readonly Outcome[], sinceMs: number, blames: RegExp): number {
  const lastBad = outcomes.filter((o) => !o.ok && o.atMs >= sinceMs && blames.test(o.what)).at(-1);
  return lastBad === undefined ? 0 : lastBad.atMs - sinceMs;
}

/** Waits until `count` answers arrived after `sinceMs` (or `limitMs` passed). */
export async function answersAfter(load: FeedLoad, sinceMs: number, count: number, limitMs = 10_000): Promise<void> {
  const deadline = Date.now() + limitMs;
  while (Date.now() < deadline && load.outcomes.filter((o) => o.atMs > sinceMs).length < count) await new Promise((r) => setTimeout(r, 20));
}

/** A short summary for assertion messages: runs of equal outcomes with their times. */
export function describeOutcomes(outcomes: readonly Outcome[], originMs: number): string {
  const runs: string[] = [];
  let current: { what: string; from: number; to: number; count: number } | undefined;
  for (const o of outcomes) {
    if (current?.what === o.what) {
      current.to = o.atMs;
      current.count++;
      continue;
    }
    if (current) runs.push(`${current.from - originMs}..${current.to - originMs} ms ${current.what} ×${current.count}`);
    current = { what: o.what, from: o.atMs, to: o.atMs, count: 1 };
  }
  if (current) runs.push(`${current.from - originMs}..${current.to - originMs} ms ${current.what} ×${current.count}`);
  return runs.join('\n');
}
