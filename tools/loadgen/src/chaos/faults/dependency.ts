// Faults on a dependency: latency added to one app's connection (through its LatencyProxy), or the
// run's own redis-server stopped (SHUTDOWN SAVE) and started again on its port.
import { now, sleep, type RedisServer } from '@feedmesh/faults';
import type { LatencyProxy } from './latency-proxy.js';
import type { MeasuredFault } from './measured-fault.js';

export async function addLatency(proxy: LatencyProxy, ms: number, forMs: number): Promise<MeasuredFault> {
  const startMs = now();
  proxy.setDelay(ms);
  try {
    await sleep(forMs);
  } finally {
    proxy.setDelay(0);
  }
  return { startMs, endMs: now(), detail: `+${ms} ms per round trip for ${forMs} ms` };
}

/** Down for `forMs` from the stop; ends when it accepts connections again. */
export async function restartRedis(redis: RedisServer, forMs: number): Promise<MeasuredFault> {
  const startMs = now();
  await redis.stop();
  await sleep(Math.max(0, startMs + forMs - now()));
  const endMs = await redis.start();
  return { startMs, endMs, detail: `down ${Math.round(endMs - startMs)} ms` };
}
