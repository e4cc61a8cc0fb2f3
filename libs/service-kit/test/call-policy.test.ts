// The kit's call policy, case by case, over both protocols: each case runs once with the kit's
// gRPC client (grpc-js, HTTP/2) and once with a Connect client (HTTP/1.1), against one tiny
// service, and must read the same.
import { Code, ConnectError, createClient, type Client } from '@connectrpc/connect';
import { createConnectTransport } from '@connectrpc/connect-node';
import type { MessageInitShape } from '@bufbuild/protobuf';
import { RankingService, type ItemKind, type RankRequest, type RankRequestSchema } from '@feedmesh/contracts';
import { ROOT_CONTEXT, TraceFlags, context, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { TracerProvider } from '@opentelemetry/sdk-trace';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServiceClient, deadlineOf, runApp, unavailable, type RunningApp, type ServiceMetrics, type ServiceRegistration } from '../src/index.js';

/** Why the last sleeping handler stopped early, if it did. */
let sleepAborted: unknown;

/** What the test service does, chosen by the request's user id; it answers with what it saw, in model_version. */
const behaviours: Record<string, (req: RankRequest, ctx: Parameters<typeof deadlineOf>[0]) => Promise<string> | string> = {
  ok: () => 'ok',
  deadline: (_req, ctx) => {
    const deadline = deadlineOf(ctx);
    return JSON.stringify({ caller: deadline.callerDeadline === undefined ? 'none' : 'set', remaining: deadline.remaining() });
  },
  sleep: (_req, ctx) =>
    new Promise((resolve, reject) => {
      const { signal } = deadlineOf(ctx);
      const timer = setTimeout(resolve, 300, 'slept');
      signal.addEventListener('abort', () => (clearTimeout(timer), reject((sleepAborted = signal.reason) as Error)), { once: true });
    }),
  thrown: () => {
    throw new Error('pg: password authentication failed for user "root"');
  },
  unavailable: () => {
    throw unavailable('redis: connect ECONNREFUSED 10.0.0.7:6379', { component: 'paging session store' });
  },
  trace: () => trace.getActiveSpan()?.spanContext().traceId ?? 'no span',
};

const testService: ServiceRegistration = {
  service: RankingService,
  impl: { rank: async (req: RankRequest, ctx: never) => ({ modelVersion: await behaviours[req.userId]!(req, ctx) }) } as never,
  access: 'mesh',
};

const provider = new TracerProvider();
let app: RunningApp;
let metrics: ServiceMetrics;
let grpcClient: ReturnType<typeof createServiceClient<typeof RankingService>>;
let connectClient: Client<typeof RankingService>;

beforeAll(async () => {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  trace.setGlobalTracerProvider(provider);
  app = await runApp(
    {
      name: 'policy',
      defaultPort: 0,
      setup: (setup) => {
        metrics = setup.metrics;
        return { services: [testService] };
      },
    },
    // One call at a time and none queued, so a second concurrent call is refused.
    { env: { PORT: '0', LOG_LEVEL: 'silent', MAX_CONCURRENT_CALLS: '1', ADAPTIVE_CONCURRENCY: 'false', MAX_QUEUED_CALLS: '0', MAX_DEADLINE_MS: '5000' }, handleSignals: false },
  );
  grpcClient = createServiceClient(RankingService, { address: app.address, defaultTimeoutMs: 10_000 });
  connectClient = createClient(RankingService, createConnectTransport({ baseUrl: `http://${app.address}`, httpVersion: '1.1' }));
});

afterAll(async () => {
  grpcClient?.close();
  await app?.shutdown();
  await provider.shutdown();
  trace.disable();
  context.disable();
  propagation.disable();
});

type Rank = (req: MessageInitShape<typeof RankRequestSchema>, options?: { timeoutMs?: number; headers?: Record<string, string> }) => Promise<{ modelVersion: string }>;
const protocols: Array<[string, () => Rank]> = [
  ['grpc', () => (req, options) => grpcClient.rank(req, options)],
  ['connect', () => (req, options) => connectClient.rank(req, options)],
];

const failure = (call: Promise<unknown>) => call.then(() => undefined, (e: unknown) => ConnectError.from(e));

describe.each(protocols)('call policy over %s', (protocol, client) => {
  it('answers a good call', async () => {
    expect(await client()({ userId: 'ok' })).toMatchObject({ modelVersion: 'ok' });
  });

  it('refuses bad input with InvalidArgument naming the field', async () => {
    const bad = { userId: 'ok', candidates: [{ item: { id: 'i1', kind: 99 as ItemKind, authorId: 'a1', createdAtMs: 1n }, sources: [] }] };
    const error = await failure(client()(bad));
    expect(error?.code).toBe(Code.InvalidArgument);
    expect(error?.rawMessage).toMatch(/^candidates\[0\]\.item\.kind: unknown feedmesh\.common\.v1\.ItemKind value 99$/);
  });

  it("hands the handler the caller's deadline, and none when the caller set none (the call then runs to MAX_DEADLINE_MS)", async () => {
    const set = JSON.parse((await client()({ userId: 'deadline' }, { timeoutMs: 2_000 })).modelVersion) as { caller: string; remaining: number };
    expect(set.caller).toBe('set');
    expect(set.remaining).toBeGreaterThan(1_500);
    expect(set.remaining).toBeLessThanOrEqual(2_000);
    const capped = JSON.parse((await client()({ userId: 'deadline' }, { timeoutMs: 60_000 })).modelVersion) as { caller: string; remaining: number };
    expect(capped.remaining).toBeLessThanOrEqual(5_000);
  });

  it('ends a call past its deadline with DeadlineExceeded, aborting the handler', async () => {
    sleepAborted = undefined;
    expect((await failure(client()({ userId: 'sleep' }, { timeoutMs: 50 })))?.code).toBe(Code.DeadlineExceeded);
    await new Promise((r) => setTimeout(r, 20));
    expect(sleepAborted).toBeDefined();
  });

  it('refuses a call beyond the admission limit with ResourceExhausted', async () => {
    const running = client()({ userId: 'sleep' });
    await new Promise((r) => setTimeout(r, 50));
    const refused = await failure(client()({ userId: 'ok' }));
    expect(refused?.code).toBe(Code.ResourceExhausted);
    expect(refused?.rawMessage).toBe('the server is overloaded; retry with backoff');
    await running;
  });

  it("masks an internal error: the caller never reads what the library said", async () => {
    const error = await failure(client()({ userId: 'thrown' }));
    expect(error?.code).toBe(Code.Internal);
    expect(error?.rawMessage).toBe('internal error');
  });

  it('names the unavailable component, not the detail', async () => {
    const error = await failure(client()({ userId: 'unavailable' }));
    expect(error?.code).toBe(Code.Unavailable);
    expect(error?.rawMessage).toBe('paging session store is unavailable');
  });

  it("continues the caller's trace from its traceparent header", async () => {
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const spanId = '00f067aa0ba902b7';
    // The kit's gRPC client writes the active trace context over any traceparent it is given.
    const caller = trace.setSpanContext(ROOT_CONTEXT, { traceId, spanId, traceFlags: TraceFlags.SAMPLED, isRemote: true });
    const answer = await context.with(caller, () => client()({ userId: 'trace' }, { headers: { traceparent: `00-${traceId}-${spanId}-01` } }));
    expect(answer.modelVersion).toBe(traceId);
  });

  it('records latency by method, protocol and code', async () => {
    const text = await metrics.registry.metrics();
    const series = (code: string) => new RegExp(`rpc_server_duration_seconds_count\\{[^}]*rpc_method="Rank"[^}]*rpc_grpc_status_code="${code}"[^}]*protocol="${protocol}"[^}]*\\} [1-9]`);
    expect(text).toMatch(series('OK'));
    expect(text).toMatch(series('INVALID_ARGUMENT'));
    expect(text).toMatch(series('INTERNAL'));
    expect(text).toMatch(new RegExp(`rpc_server_shed_total\\{[^}]*protocol="${protocol}"[^}]*\\} [1-9]`));
  });
});
