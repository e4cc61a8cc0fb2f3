import { Agent, request } from 'node:http';
import { now } from './clock.js';

/** A running probe: `stop` ends it and resolves with each probe's latency (ms). */
export interface LivenessProbe {
  stop(): Promise<number[]>;
}

/**
 * GET /healthz `rate` times a second on kept-alive connections, timing each answer. The kit never
 * sheds probes and /healthz does no work, so its latency is what the box's scheduling and the
 * app's event loop add to any answer, the load generator's included: the floor under the
 * latency of a refusal, which does no work either.
 */
export function probeLiveness(port: number, rate: number): LivenessProbe {
  const agent = new Agent({ keepAlive: true, maxSockets: 4 });
  const latencies: number[] = [];
  const pending = new Set<Promise<void>>();
  const once = () =>
    new Promise<void>((resolve) => {
      const started = now();
      const req = request({ host: '127.0.0.1', port, path: '/healthz', agent, timeout: 5_000 }, (res) => {
        res.resume();
        res.on('end', () => {
          latencies.push(now() - started);
          resolve();
        });
      });
      req.on('timeout', () => req.destroy());
      req.on('error', () => resolve());
      req.end();
    });
  const timer = setInterval(() => {
    const done: Promise<void> = once().then(() => void pending.delete(done));
    pending.add(done);
  }, 1000 / rate);
  return {
    async stop() {
      clearInterval(timer);
      await Promise.all(pending);
      agent.destroy();
      return latencies;
    },
  };
}
