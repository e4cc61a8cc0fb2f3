// The "later pages" load of getfeed-mesh: the pages a user scrolls to after the first. Sessions are
// opened before the measured window (their first pages are not measured); in the window, `c`
// workers each take a session and fetch its next pages by cursor, up to `depth` pages a session,
// so the window holds pages 2..depth only — the cost a session's later page has.
import { FeedService } from '@feedmesh/contracts';
import { Code, ConnectError } from '@connectrpc/connect';
import type { LatencySummaryMs } from '@feedmesh/loadgen';
import { createServiceClient } from '@feedmesh/service-kit';

export interface LaterPagesOptions {
  address: string;
  concurrency: number;
  durationMs: number;
  timeoutMs: number;
  users: number;
  pageSize: number;
  /** Sent with every call (bench-auth.ts's token). */
  headers?: Record<string, string>;
  /** Pages per session, the first included (default 6: pages 2..6 are measured). */
  depth?: number;
  /** Sessions opened before the window (default enough for 1,500 later pages/s)... */
  sessions?: number;
  /** ...or as many as open in this long (default: the window's duration); the pool running dry ends the window early. */
  openForMs?: number;
}

export interface LaterPagesReport {
  mode: 'closed-loop';
  concurrency: number;
  rate: null;
  durationS: number;
  requests: { completed: number; ok: number; dropped: number };
  throughputRps: number;
  latencyMs: LatencySummaryMs;
  errorsByCode: Record<string, number>;
  errorRate: number;
  clientCpu: { usPerRequest: number };
  /** Later pages of the window whose answer said it was the session's last. */
  sessionsEnded: number;
}

interface OpenSession {
  userId: string;
  cursor: string;
  page: number;
}

/** Opens sessions (not measured). */
export async function openSessions(options: LaterPagesOptions): Promise<OpenSession[]> {
  const depth = options.depth ?? 6;
  const wanted = options.sessions ?? Math.ceil((1_500 * options.durationMs) / 1000 / (depth - 1));
  const client = createServiceClient(FeedService, { address: options.address, defaultTimeoutMs: 5_000, maxRetries: 1 });
  const sessions: OpenSession[] = [];
  let next = 0;
  const until = performance.now() + (options.openForMs ?? options.durationMs);
  try {
    await Promise.all(
      Array.from({ length: 16 }, async () => {
        while (next < wanted && performance.now() < until) {
          const userId = `u${1 + ((next++ * 7919) % options.users)}`;
          const page = await client.getFeed({ userId, pageSize: options.pageSize }, { headers: options.headers }).catch(() => undefined);
          if (page?.nextCursor) sessions.push({ userId, cursor: page.nextCursor, page: 1 });
        }
      }),
    );
  } finally {
    client.close();
  }
  return sessions;
}

/** Fetches later pages of `sessions` for the window; the pool running dry ends it early. */
export async function runLaterPages(options: LaterPagesOptions, sessions: OpenSession[]): Promise<LaterPagesReport> {
  const depth = options.depth ?? 6;
  const client = createServiceClient(FeedService, { address: options.address, defaultTimeoutMs: options.timeoutMs, maxRetries: 0 });
  const latencies: number[] = [];
  const errorsByCode: Record<string, number> = {};
  let completed = 0;
  let ended = 0;
  const queue = [...sessions];
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  const deadline = started + options.durationMs;
  try {
    await Promise.all(
      Array.from({ length: options.concurrency }, async () => {
        while (performance.now() < deadline) {
          const session = queue.shift();
          if (session === undefined) return;
          const { userId } = session;
          const sent = performance.now();
          try {
            const page = await client.getFeed({ userId, pageSize: options.pageSize, cursor: session.cursor }, { headers: options.headers });
            latencies.push(performance.now() - sent);
            session.page++;
            if (page.nextCursor === '') ended++;
            else if (session.page < depth) queue.push({ userId, cursor: page.nextCursor, page: session.page });
          } catch (error) {
            const code = error instanceof ConnectError ? Code[error.code] : 'unknown';
            errorsByCode[code] = (errorsByCode[code] ?? 0) + 1;
          }
          completed++;
        }
      }),
    );
  } finally {
    client.close();
  }
  const durationS = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  const ok = latencies.length;
  return {
    mode: 'closed-loop',
    concurrency: options.concurrency,
    rate: null,
    durationS,
    requests: { completed, ok, dropped: 0 },
    throughputRps: completed / durationS,
    latencyMs: summarize(latencies),
    errorsByCode,
    errorRate: completed === 0 ? 0 : (completed - ok) / completed,
    clientCpu: { usPerRequest: completed === 0 ? 0 : (cpu.user + cpu.system) / completed },
    sessionsEnded: ended,
  };
}

export function summarize(latencies: number[]): LatencySummaryMs {
  const sorted = [...latencies].sort((a, b) => a - b);
  const at = (q: number) => (sorted.length === 0 ? 0 : round(sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!));
  const mean = sorted.length === 0 ? 0 : sorted.reduce((s, x) => s + x, 0) / sorted.length;
  return { count: sorted.length, min: at(0), mean: round(mean), p50: at(0.5), p90: at(0.9), p99: at(0.99), p999: at(0.999), max: sorted.length === 0 ? 0 : round(sorted[sorted.length - 1]!) };
}

const round = (ms: number) => Math.round(ms * 1000) / 1000;
