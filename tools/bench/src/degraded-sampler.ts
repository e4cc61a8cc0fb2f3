// The load generator counts answers, not their content; this side client calls GetFeed now and
// then during a phase and reads the `degraded` flag, so the share of degraded pages is known.
import { setTimeout as sleep } from 'node:timers/promises';
import { FeedService } from '@feedmesh/contracts';
import { createServiceClient } from '@feedmesh/service-kit';

export interface DegradedSample {
  calls: number;
  ok: number;
  degraded: number;
}

export function startDegradedSampler(options: { address: string; intervalMs: number; users: number; pageSize: number; timeoutMs: number; headers?: Record<string, string> }) {
  const client = createServiceClient(FeedService, { address: options.address, defaultTimeoutMs: options.timeoutMs, maxRetries: 0 });
  const sample: DegradedSample = { calls: 0, ok: 0, degraded: 0 };
  let running = true;
  const loop = (async () => {
    while (running) {
      await sleep(options.intervalMs);
      if (!running) break;
      sample.calls++;
      try {
        const page = await client.getFeed({ userId: `u${1 + Math.floor(Math.random() * options.users)}`, pageSize: options.pageSize }, { headers: options.headers });
        sample.ok++;
        if (page.degraded) sample.degraded++;
      } catch {
        // Errors are the load generator's to count; this only looks at pages that were served.
      }
    }
  })();
  return {
    /** Stops after the call in flight; resolves with the counts. */
    async stop(): Promise<DegradedSample> {
      running = false;
      await loop;
      client.close();
      return sample;
    },
  };
}
