// Runs a scenario: journeys start on the stages' schedule (open loop: arrivals per second, ramped
// like k6's ramping-arrival-rate; closed loop: virtual users, each looping journeys), each journey
// runs its steps in order with think times, carrying values extracted from one response into the
// next call. Calls go through Connect's clients (gRPC over HTTP/2 or Connect JSON over HTTP/1.1),
// which hand back the decoded response the extraction needs; one thread, no --workers.
import { fromJson, toJson, type DescMessage, type DescMethodUnary, type JsonValue, type Message } from '@bufbuild/protobuf';
import { ConnectError, type Transport } from '@connectrpc/connect';
import { createConnectTransport, createGrpcTransport } from '@connectrpc/connect-node';
import { mintServiceToken, mintUserToken } from '@feedmesh/identity';
import { newLatencyHistogram, summarize, toMicros } from '../histograms.js';
import type { ProgressSample } from '../load-options.js';
import { SlowestCalls } from '../recorder.js';
import { reportSlowCalls, type JourneyResult, type Report } from '../report.js';
import { codesByName, latencyDistribution, ResultGroup, timelinePoint, type StageResult, type StepResult, type TimelinePoint } from '../results.js';
import { evaluateSlo, hasThresholds, type SloThresholds } from '../slo.js';
import { DEADLINE_EXCEEDED, INTERNAL, OK, UNKNOWN } from '../status-codes.js';
import { TraceparentSource, type TraceContext } from '../traceparent.js';
import type { JourneyValue } from './extract.js';
import type { AuthSpec, Journey, Scenario, Step } from './scenario-file.js';
import { ArrivalSchedule, stageIndexAt, targetAt, totalDurationMs, type StagePlan } from './stages.js';

export interface ScenarioRunOptions {
  readonly scenario: Scenario;
  readonly target: string;
  readonly protocol: 'grpc' | 'connect';
  readonly stages: StagePlan;
  readonly timeoutMs: number;
  /** Open loop: most journeys in flight (default 1000). */
  readonly maxInflight: number;
  readonly metadata: readonly (readonly [string, string])[];
  readonly traceSample: number;
  /** HS256 secret for `auth: { user }` / `{ service }` journeys. */
  readonly authSecret: string | undefined;
  readonly slo?: SloThresholds;
  readonly signal?: AbortSignal;
  readonly onProgress?: (sample: ProgressSample) => void;
  /** Extra settings to show in the report (the CLI's flags). */
  readonly settings?: Readonly<Record<string, string | number | boolean | null>>;
  /** Injectable for tests; Math.random otherwise. */
  readonly random?: () => number;
}

interface StepStats {
  readonly journey: string;
  readonly step: Step;
  readonly group: ResultGroup;
}

/** Auth headers per spec: tokens are signed once per user (kept for the run) or once per service. */
class Credentials {
  private readonly userTokens = new Map<string, Promise<string>>();
  private readonly serviceTokens = new Map<string, Promise<string>>();

  constructor(private readonly secret: string | undefined) {}

  authorization(spec: AuthSpec, lookup: (name: string) => JourneyValue | undefined): Promise<string> | string {
    if (spec.kind === 'header') return spec.value;
    const secret = this.secret;
    if (secret === undefined) throw new Error('no signing secret');
    if (spec.kind === 'service') {
      const key = `${spec.name} ${spec.scopes.join(' ')}`;
      let token = this.serviceTokens.get(key);
      if (token === undefined) this.serviceTokens.set(key, (token = mintServiceToken(secret, spec.name, spec.scopes).then((t) => `Bearer ${t}`)));
      return token;
    }
    const user = spec.user.replace(/\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g, (_, name: string) => String(lookup(name) ?? ''));
    let token = this.userTokens.get(user);
    if (token === undefined) {
      // Bounded: a run over millions of users re-signs rather than holding every token.
      if (this.userTokens.size >= 100_000) this.userTokens.clear();
      this.userTokens.set(user, (token = mintUserToken(secret, user).then((t) => `Bearer ${t}`)));
    }
    return token;
  }
}

export function needsSecret(scenario: Scenario): boolean {
  return scenario.journeys.some((journey) => journey.auth !== undefined && journey.auth.kind !== 'header');
}

export async function runScenario(options: ScenarioRunOptions): Promise<Report> {
  const { scenario, stages } = options;
  const random = options.random ?? Math.random;
  const transports = new Map<string, Transport>();
  const transportFor = (step: Step): Transport => {
    const target = step.target ?? options.target;
    let transport = transports.get(target);
    if (transport === undefined) transports.set(target, (transport = createTransport(options.protocol, target)));
    return transport;
  };
  const traces = new TraceparentSource(options.traceSample);
  const credentials = new Credentials(options.authSecret);
  const totalMs = totalDurationMs(stages);
  const total = new ResultGroup();
  const errorLatency = newLatencyHistogram();
  const stageGroups = stages.stages.map(() => new ResultGroup());
  const stepStats = new Map<Step, StepStats>();
  for (const journey of scenario.journeys) for (const step of journey.steps) stepStats.set(step, { journey: journey.name, step, group: new ResultGroup() });
  const journeyCounts = new Map<Journey, { started: number; completed: number; failed: number; cut: number }>();
  for (const journey of scenario.journeys) journeyCounts.set(journey, { started: 0, completed: 0, failed: 0, cut: 0 });
  const slowestSampled = new SlowestCalls(10);
  const pick = weightedPicker(scenario.journeys, random);
  const headerBase = options.metadata.map(([key, value]) => [key, value] as [string, string]);

  const startMs = performance.now();
  const startedAt = new Date().toISOString();
  const cpuAtStart = process.cpuUsage();
  const endMs = startMs + totalMs;
  let stopped = false;
  const isOver = (): boolean => stopped || performance.now() >= endMs;
  let inflightCalls = 0;
  let sent = 0;
  let iteration = 0;

  // Per-second timeline: one interval histogram, folded into a point each second.
  const timeline: TimelinePoint[] = [];
  let intervalOk = 0;
  let intervalErrors = 0;
  let lastFlushMs = startMs;
  const intervalLatency = newLatencyHistogram();
  const flush = (): void => {
    const now = performance.now();
    timeline.push(timelinePoint((now - startMs) / 1000, intervalOk, intervalErrors, intervalLatency));
    options.onProgress?.({
      elapsedS: (now - startMs) / 1000,
      warmup: false,
      rps: ((intervalOk + intervalErrors) * 1000) / Math.max(1, now - lastFlushMs),
      errors: intervalErrors,
      p50Ms: timeline[timeline.length - 1].p50Ms,
      p99Ms: timeline[timeline.length - 1].p99Ms,
      inflight: inflightCalls,
    });
    intervalLatency.reset();
    intervalOk = 0;
    intervalErrors = 0;
    lastFlushMs = now;
  };
  const flushTimer = setInterval(flush, 1000);

  const record = (stats: StepStats, calledAtMs: number, latencyMs: number, code: number, trace: TraceContext): void => {
    total.record(latencyMs, code, trace);
    stageGroups[stageIndexAt(stages, calledAtMs - startMs)].record(latencyMs, code, trace);
    stats.group.record(latencyMs, code, trace);
    if (trace.sampled) slowestSampled.offer(latencyMs, trace, code);
    if (code === OK) {
      intervalOk++;
      intervalLatency.recordValue(toMicros(latencyMs));
    } else {
      intervalErrors++;
      errorLatency.recordValue(toMicros(latencyMs));
    }
  };

  /** One call of a step; resolves with the response as proto JSON, or undefined when it failed. */
  const call = async (stats: StepStats, values: (name: string) => JourneyValue | undefined, headers: [string, string][], chargeFromMs: number): Promise<JsonValue | undefined> => {
    const { step } = stats;
    const trace: TraceContext = { traceId: '', traceparent: '', sampled: false };
    traces.next(trace);
    // A journey's first call belongs to the stage it was scheduled in, even when sent late (as its latency is charged from then).
    const calledAtMs = Math.min(performance.now(), chargeFromMs);
    let request: Message;
    try {
      request = fromJson(step.method.method.input, step.body.render(values) as JsonValue);
    } catch {
      // A value the request cannot carry (e.g. an extracted text for a number field): the client's fault.
      record(stats, calledAtMs, 0, INTERNAL, trace);
      return undefined;
    }
    inflightCalls++;
    sent++;
    try {
      const response = await transportFor(step).unary(step.method.method as DescMethodUnary, undefined, options.timeoutMs, [...headers, ['traceparent', trace.traceparent]], request as never);
      record(stats, calledAtMs, performance.now() - chargeFromMs, OK, trace);
      return step.extract.length === 0 ? null : toJson(step.method.method.output as DescMessage, response.message as Message, { alwaysEmitImplicit: true });
    } catch (error) {
      record(stats, calledAtMs, performance.now() - chargeFromMs, codeOf(error), trace);
      return undefined;
    } finally {
      inflightCalls--;
    }
  };

  /** One journey, its steps in order; the first call is charged from `intendedMs` (open loop). */
  const runJourney = async (intendedMs: number): Promise<void> => {
    const journey = pick();
    const counts = journeyCounts.get(journey)!;
    counts.started++;
    const number = String(++iteration);
    const drawn = new Map<string, string>();
    const extracted = new Map<string, JourneyValue>();
    const values = (name: string): JourneyValue | undefined => {
      const value = extracted.get(name);
      if (value !== undefined) return value;
      if (name === 'uuid') return crypto.randomUUID();
      if (name === 'now') return new Date().toISOString();
      if (name === 'iteration') return number;
      let pinned = drawn.get(name);
      const generator = scenario.variables.get(name);
      if (pinned === undefined && generator !== undefined) drawn.set(name, (pinned = generator()));
      return pinned;
    };
    const headers = [...headerBase];
    if (journey.auth !== undefined) {
      try {
        headers.push(['authorization', await credentials.authorization(journey.auth, values)]);
      } catch {
        counts.failed++;
        return;
      }
    }
    let chargeFrom = intendedMs;
    for (const step of journey.steps) {
      const stats = stepStats.get(step)!;
      const times = step.repeat.min + Math.floor(random() * (step.repeat.max - step.repeat.min + 1));
      for (let time = 0; time < times; time++) {
        if (time > 0 && step.while !== undefined && isEmpty(values(step.while))) break;
        if (isOver()) {
          counts.cut++;
          return;
        }
        const response = await call(stats, values, headers, Math.min(chargeFrom, performance.now()));
        chargeFrom = Infinity;
        if (response === undefined) {
          counts.failed++;
          return;
        }
        for (const [name, path] of step.extract) extracted.set(name, path.read(response));
        const think = step.thinkMs.min + random() * (step.thinkMs.max - step.thinkMs.min);
        if (think > 0) await sleep(think);
      }
    }
    counts.completed++;
  };

  const onAbort = (): void => {
    stopped = true;
  };
  options.signal?.addEventListener('abort', onAbort, { once: true });
  const running = new Set<Promise<void>>();
  const track = (journey: Promise<void>): void => {
    running.add(journey);
    void journey.finally(() => running.delete(journey));
  };
  let dropped = 0;
  let late = 0;
  let delayedByInflightCap = 0;
  let peakRate = 0;
  let peakVus = 0;
  for (const stage of stages.stages) {
    peakRate = Math.max(peakRate, stage.target);
    peakVus = Math.max(peakVus, stage.target);
  }

  try {
    if (stages.kind === 'rate') {
      const schedule = new ArrivalSchedule(stages);
      const waiting: number[] = [];
      let activeJourneys = 0;
      const startJourney = (intendedMs: number): void => {
        activeJourneys++;
        track(
          runJourney(intendedMs).finally(() => {
            activeJourneys--;
            const next = waiting.shift();
            if (next !== undefined && !isOver()) startJourney(next);
          }),
        );
      };
      for (let due = schedule.next(); due !== undefined && !isOver(); due = schedule.next()) {
        const intendedMs = startMs + due;
        const delay = intendedMs - performance.now();
        if (delay > 0) await sleep(delay);
        if (isOver()) break;
        if (performance.now() - intendedMs > 1) late++;
        if (activeJourneys < options.maxInflight) startJourney(intendedMs);
        else {
          delayedByInflightCap++;
          waiting.push(intendedMs);
        }
      }
      dropped = waiting.length;
      waiting.length = 0;
    } else {
      // Virtual users: every 100 ms the target is re-read from the ramp; users above it leave after their journey.
      let vus = 0;
      const vuLoop = async (id: number): Promise<void> => {
        while (!isOver() && id < Math.round(targetAt(stages, performance.now() - startMs))) await runJourney(performance.now());
        vus--;
      };
      while (!isOver()) {
        const wanted = Math.round(targetAt(stages, performance.now() - startMs));
        while (vus < wanted) track(vuLoop(vus++));
        await sleep(Math.min(100, Math.max(1, endMs - performance.now())));
      }
    }
    while (running.size > 0) await Promise.all([...running]);
  } finally {
    clearInterval(flushTimer);
    options.signal?.removeEventListener('abort', onAbort);
  }
  if (intervalOk + intervalErrors > 0) flush();
  const finishedMs = performance.now();
  const cpu = process.cpuUsage(cpuAtStart);
  const measuredMs = finishedMs - startMs;
  const completed = total.ok + total.errors;
  const latencyMs = summarize(total.okLatency);
  const attempted = completed + dropped;
  const errorRate = attempted === 0 ? 0 : (total.errors + dropped) / attempted;

  let stageBeginMs = 0;
  const stageResults: StageResult[] = stages.stages.map((stage, index) => {
    const group = stageGroups[index];
    const begin = stageBeginMs;
    stageBeginMs += stage.durationMs;
    // The last stage also holds calls of journeys that finished after the end.
    const spanMs = index === stages.stages.length - 1 ? Math.max(stage.durationMs, measuredMs - begin) : stage.durationMs;
    return { stage: stage.label, startS: begin / 1000, durationS: spanMs / 1000, target: stage.target, throughputRps: ((group.ok + group.errors) * 1000) / spanMs, ...group.result() };
  });
  const steps: StepResult[] = [...stepStats.values()].map(({ journey, step, group }) => ({
    journey,
    step: step.name,
    method: step.method.path.slice(1),
    ...group.result(),
    slowest: reportSlowCalls(group.slowCalls()),
  }));
  const journeys: JourneyResult[] = scenario.journeys.map((journey) => ({ journey: journey.name, weight: journey.weight, ...journeyCounts.get(journey)! }));
  const thresholds = options.slo ?? {};
  const openLoop = stages.kind === 'rate';
  return {
    tool: 'feedmesh-loadgen',
    target: options.target,
    method: `scenario ${scenario.file}`,
    protocol: options.protocol,
    mode: openLoop ? 'open-loop' : 'closed-loop',
    concurrency: openLoop ? null : peakVus,
    rate: openLoop ? peakRate : null,
    maxInflight: openLoop ? options.maxInflight : null,
    connections: null,
    workers: 1,
    startedAt,
    warmupS: 0,
    durationS: measuredMs / 1000,
    requests: { sent, completed, ok: total.ok, errors: total.errors, dropped, late, delayedByInflightCap },
    throughputRps: measuredMs === 0 ? 0 : (completed * 1000) / measuredMs,
    latencyMs,
    errorLatencyMs: summarize(errorLatency),
    errorRate,
    errorsByCode: codesByName(total.errorsByCode()),
    clientCpu: { userMs: cpu.user / 1000, systemMs: cpu.system / 1000, usPerRequest: completed === 0 ? 0 : (cpu.user + cpu.system) / completed, calls: completed },
    slowest: reportSlowCalls(total.slowCalls()),
    slowestSampled: reportSlowCalls(slowestSampled.list()),
    slo: hasThresholds(thresholds) ? evaluateSlo({ ok: total.ok, p50Ms: latencyMs.p50, p99Ms: latencyMs.p99, errorRate }, thresholds) : null,
    settings: {
      scenario: scenario.file,
      stages: stages.stages.map((stage) => stage.label).join(', '),
      journeys: scenario.journeys.map((journey) => `${journey.name} ×${journey.weight}`).join(', '),
      protocol: options.protocol,
      target: options.target,
      timeoutMs: options.timeoutMs,
      ...(openLoop ? { maxInflightJourneys: options.maxInflight } : {}),
      traceSample: options.traceSample,
      ...options.settings,
    },
    timeline,
    latencyDistribution: latencyDistribution(total.okLatency),
    stages: stageResults,
    steps,
    journeys,
  };
}

function createTransport(protocol: 'grpc' | 'connect', target: string): Transport {
  const baseUrl = target.includes('://') ? target : `http://${target}`;
  return protocol === 'connect' ? createConnectTransport({ baseUrl, httpVersion: '1.1' }) : createGrpcTransport({ baseUrl });
}

function codeOf(error: unknown): number {
  if (error instanceof ConnectError) return error.code;
  if (error instanceof Error && error.name === 'TimeoutError') return DEADLINE_EXCEEDED;
  return UNKNOWN;
}

function isEmpty(value: JourneyValue | undefined): boolean {
  return value === undefined || value.length === 0;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Picks journeys in proportion to their weights. */
export function weightedPicker<T extends { readonly weight: number }>(items: readonly T[], random: () => number): () => T {
  const cumulative: number[] = [];
  let sum = 0;
  for (const item of items) cumulative.push((sum += item.weight));
  return () => {
    const x = random() * sum;
    let index = 0;
    while (index < items.length - 1 && x >= cumulative[index]) index++;
    return items[index];
  };
}
