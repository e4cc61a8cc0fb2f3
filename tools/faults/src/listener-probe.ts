import { connect } from 'node:net';
import { now, sleep } from './clock.js';

export interface ListenerWatch {
  /** The last probe the port accepted, and the first it refused (undefined: never). */
  readonly lastAcceptedMs: number | undefined;
  readonly firstRefusedMs: number | undefined;
  /** Probes accepted after one was refused: a listener that closed must stay closed. */
  readonly acceptedAfterRefused: number;
  readonly probes: number;
}

/** Whether a new TCP connection to the port is accepted (it is closed again at once, before sending a byte). */
export function tcpAccepts(port: number, timeoutMs = 1_000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ port, host: '127.0.0.1', timeout: timeoutMs });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(false));
  });
}

/** Opens a new connection every `intervalMs` until `until` settles, and says when the port stopped accepting. */
export async function watchListener(port: number, until: Promise<unknown>, intervalMs = 20): Promise<ListenerWatch> {
  let done = false;
  void until.finally(() => (done = true));
  let lastAcceptedMs: number | undefined;
  let firstRefusedMs: number | undefined;
  let acceptedAfterRefused = 0;
  let probes = 0;
  while (!done) {
    const at = now();
    const accepted = await tcpAccepts(port);
    probes++;
    if (accepted) {
      lastAcceptedMs = at;
      if (firstRefusedMs !== undefined) acceptedAfterRefused++;
    } else {
      firstRefusedMs ??= at;
    }
    await sleep(intervalMs);
  }
  return { lastAcceptedMs, firstRefusedMs, acceptedAfterRefused, probes };
}
