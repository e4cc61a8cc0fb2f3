import { Code, ConnectError } from '@connectrpc/connect';
import { now } from './clock.js';

/** One call as the client saw it; times on the `clock.ts` time base. */
export interface CallRecord {
  /** When the call was due (open loop) or sent (closed loop). */
  readonly intendedMs: number;
  readonly startMs: number;
  readonly endMs: number;
  /** "OK" or the Connect code name ("Unavailable", "ResourceExhausted", ...). */
  readonly code: string;
  /** OK answers only: the page said it was served by a fallback. */
  readonly degraded: boolean;
  readonly detail: string;
}

/** What a call reports on success: the page's degraded flag and reasons, when it has them. */
export interface CallResult {
  degraded?: boolean;
  degradedReasons?: readonly string[];
}

export type Call = () => Promise<CallResult | void>;

export function codeName(code: Code): string {
  return Code[code] ?? `Code${code}`;
}

/** Runs one call and records how it ended; a non-Connect error (a client bug) counts as Unknown with its message. */
export async function recordCall(call: Call, intendedMs = now()): Promise<CallRecord> {
  const startMs = now();
  try {
    const result = (await call()) ?? {};
    const reasons = result.degradedReasons ?? [];
    return { intendedMs, startMs, endMs: now(), code: 'OK', degraded: result.degraded ?? false, detail: reasons.join('; ') };
  } catch (error) {
    const endMs = now();
    if (error instanceof ConnectError) return { intendedMs, startMs, endMs, code: codeName(error.code), degraded: false, detail: error.rawMessage };
    return { intendedMs, startMs, endMs, code: 'Unknown', degraded: false, detail: `client: ${(error as Error)?.message ?? String(error)}` };
  }
}
