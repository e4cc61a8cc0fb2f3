// One shard of a run: method → body → transport, a scheduler driving call slots, and the recorder.
// A run is one shard in-process, or one shard per worker thread under --workers (workers.ts).
// Everything a shard needs is in its ShardPlan, which is plain data so it can cross to a worker.
import type { DescMethod, Registry } from '@bufbuild/protobuf';
import { compileBody, type CompiledBody } from './body-template.js';
import { CallSlot } from './call-slot.js';
import { monotonicClock, nodeTimers } from './clock.js';
import { parseVariable } from './generators.js';
import type { Histogram } from './histograms.js';
import type { LoadedDescriptors } from './descriptors/descriptor-set.js';
import { resolveMethodIn } from './descriptors/load-descriptors.js';
import { Recorder, type IntervalStats } from './recorder.js';
import { ClosedLoopScheduler } from './schedulers/closed-loop.js';
import { OpenLoopScheduler } from './schedulers/open-loop.js';
import type { RunWindow, Scheduler } from './schedulers/scheduler.js';
import { shardResultOf, type ShardResult } from './shard-result.js';
import { INTERNAL } from './status-codes.js';
import { TraceparentSource } from './traceparent.js';
import { ConnectTransport } from './transports/connect-transport.js';
import { GrpcTransport } from './transports/grpc-transport.js';
import { H2GrpcTransport } from './transports/h2-grpc-transport.js';
import type { Transport, TransportOptions } from './transports/transport.js';

export type Protocol = 'grpc' | 'grpc-js' | 'connect';

/** A shard's load, every default applied. */
export interface ShardPlan {
  readonly target: string;
  readonly method: string;
  /** The method's types from reflection, --proto or --protoset; undefined: the contracts. */
  readonly descriptors: LoadedDescriptors | undefined;
  readonly protocol: Protocol;
  readonly body: string | undefined;
  readonly variables: readonly string[];
  readonly openLoop: boolean;
  readonly concurrency: number;
  readonly rate: number;
  readonly maxInflight: number;
  readonly warmupMs: number;
  /** Infinity when only `requests` bounds the run. */
  readonly durationMs: number;
  /** Infinity for no bound. */
  readonly requests: number;
  readonly connections: number | undefined;
  readonly timeoutMs: number;
  readonly metadata: readonly (readonly [string, string])[];
  readonly traceSample: number;
  readonly decodeResponses: boolean;
  /** Open loop: this shard's calls are intended `phaseMs` after the run's schedule start (interleaves workers). */
  readonly phaseMs: number;
}

/** One second's figures of a shard, for progress lines. */
export interface ShardInterval {
  readonly nowMs: number;
  readonly ok: number;
  readonly errors: number;
  readonly inflight: number;
  /** The interval's success latencies; only valid during the callback. */
  readonly okLatency: Histogram;
  readonly p50Ms: number;
  readonly p99Ms: number;
}

/** One measured call as it ended, for a caller that needs every call (a chaos run's phases), not only the histograms. */
export interface CallOutcome {
  /** When the call was due (open loop) or sent (closed loop); monotonic ms (performance.now()). */
  readonly intendedStartMs: number;
  readonly endMs: number;
  /** gRPC status code (0 = OK). */
  readonly code: number;
  /** The decoded response message when responses are decoded and the call succeeded. */
  readonly response: unknown;
}

/** Per-call callback; in-process shards only, since a function cannot cross to a worker thread. */
export type CallHook = (call: CallOutcome) => void;

export interface PreparedShard {
  /** Sends from `startMs` (monotonic clock, performance.now()) until the window closes; resolves when every call finished. */
  run(startMs: number, onInterval?: (interval: ShardInterval) => void): Promise<ShardResult>;
  /** Stops sending; in-flight calls finish. */
  stop(): void;
}

/** Resolves the method and compiles the body: throws UsageError on bad options. */
export function checkPlan(plan: ShardPlan): { method: DescMethod; path: string; registry: Registry; body: CompiledBody } {
  const { method, path, registry } = resolveMethodIn(plan.method, plan.descriptors);
  const body = compileBody(method.input, plan.body, plan.variables.map((v) => parseVariable(v)), { grpcFrame: plan.protocol === 'grpc' });
  return { method, path, registry, body };
}

/** Compiles the body and opens the transport (throws UsageError on bad options), ready to run. */
export function prepareShard(plan: ShardPlan, onCall?: CallHook): PreparedShard {
  const { method, path, registry, body } = checkPlan(plan);
  const traces = new TraceparentSource(plan.traceSample);
  const transportOptions: TransportOptions = {
    target: plan.target,
    path,
    method,
    registry,
    connections: plan.connections,
    timeoutMs: plan.timeoutMs,
    metadata: plan.metadata,
    decodeResponses: plan.decodeResponses,
  };
  const transport: Transport =
    plan.protocol === 'connect'
      ? new ConnectTransport(transportOptions)
      : plan.protocol === 'grpc-js'
        ? new GrpcTransport(transportOptions)
        : new H2GrpcTransport(transportOptions);
  const nextPayload = payloadSource(body, transport);
  let scheduler: Scheduler | undefined;
  let stopped = false;

  return {
    stop: () => {
      stopped = true;
      scheduler?.stop();
    },
    run: async (startMs, onInterval) => {
      const clock = monotonicClock;
      const recorder = new Recorder();
      const window: RunWindow = {
        startMs: startMs + plan.phaseMs,
        measureStartMs: startMs + plan.warmupMs,
        endMs: startMs + plan.warmupMs + plan.durationMs,
        maxMeasuredRequests: plan.requests,
      };
      // Warmup calls that finish inside the measured window cost CPU there too (many, when the
      // target is behind): counted apart so CPU per call stays per call.
      let warmupFinishedInWindow = 0;
      const onFinish = (slot: CallSlot, code: number): void => {
        if (slot.intendedStartMs >= window.measureStartMs) {
          const endMs = clock.now();
          recorder.record(endMs - slot.intendedStartMs, code, slot);
          onCall?.({ intendedStartMs: slot.intendedStartMs, endMs, code, response: slot.response });
        } else if (clock.now() >= window.measureStartMs) warmupFinishedInWindow++;
        slot.response = undefined;
        running.release(slot);
      };
      const createSlot = (id: number): CallSlot => new CallSlot(id, onFinish);
      const dispatch = (slot: CallSlot, intendedStartMs: number): void => {
        slot.intendedStartMs = intendedStartMs;
        traces.next(slot);
        try {
          transport.send(slot, nextPayload());
        } catch {
          // e.g. a generated value the message cannot encode; finish asynchronously to keep the stack flat.
          setImmediate(slot.finish, INTERNAL);
        }
      };
      const running: Scheduler = plan.openLoop
        ? new OpenLoopScheduler({ rate: plan.rate, maxInflight: plan.maxInflight, window, clock, timers: nodeTimers, dispatch, createSlot })
        : new ClosedLoopScheduler({ concurrency: plan.concurrency, window, clock, dispatch, createSlot });
      scheduler = running;
      if (stopped) running.stop();

      // Wait for the start (workers get a common start time a little ahead). Timers have 1 ms
      // granularity and may fire a fraction of a millisecond early: spin out the rest, or a closed
      // loop's first calls would count as warmup and add calls beyond --requests.
      const delay = startMs - clock.now();
      if (delay > 1) await new Promise((resolve) => setTimeout(resolve, delay - 1));
      while (clock.now() < startMs) {
        // at most ~1 ms
      }
      const report =
        onInterval === undefined
          ? undefined
          : (stats: IntervalStats, okLatency: Histogram): void => onInterval({ nowMs: clock.now(), inflight: running.inflight, okLatency, ...stats });
      const progressTimer = setInterval(() => recorder.flushInterval(report), 1000);
      try {
        await running.run();
      } finally {
        clearInterval(progressTimer);
        transport.close();
      }
      const finishedEpochMs = performance.timeOrigin + clock.now();
      recorder.flushInterval();
      return shardResultOf(recorder, running.stats(), finishedEpochMs, warmupFinishedInWindow);
    },
  };
}

function payloadSource(body: CompiledBody, transport: Transport): () => Buffer | string {
  return transport.payload === 'json' ? body.nextJson : body.nextBinary;
}
