// A chaos plan: the GetFeed load to run, the faults to inject at given times, and the SLO each
// phase must meet. Parsed from JSON or YAML; every error names the field (and, from a file, the
// line) so a typo in a plan fails before any process is started.
import { LineCounter, parseDocument, type Document } from 'yaml';
import { UsageError } from '../method-resolver.js';

export const FAULT_ACTIONS = ['kill', 'stop', 'restart', 'latency', 'redis-restart'] as const;
export type FaultAction = (typeof FAULT_ACTIONS)[number];

export const MESH_APPS = ['recall', 'ranking', 'render', 'aggregator'] as const;
export type MeshApp = (typeof MESH_APPS)[number];

export const DEPENDENCIES = ['redis', 'postgres'] as const;
export type Dependency = (typeof DEPENDENCIES)[number];

export interface FaultSpec {
  /** Position in the plan's `faults` list, for phase names and messages. */
  readonly index: number;
  readonly action: FaultAction;
  /** From the start of the measured load. */
  readonly atMs: number;
  /** How long the fault lasts (kill: down; stop: frozen; latency: added; redis-restart: down; restart: 0). */
  readonly forMs: number;
  /** The app acted on (kill, stop, restart) or whose connection is slowed (latency). */
  readonly app: MeshApp | undefined;
  /** latency only: which of the app's connections is slowed. */
  readonly dependency: Dependency | undefined;
  /** latency only: added to every round trip on that connection. */
  readonly ms: number;
}

export interface PhaseThresholds {
  readonly maxP99Ms?: number;
  readonly maxP50Ms?: number;
  /** Failed calls / all calls of the phase. */
  readonly maxErrorRate?: number;
  /** Answers served by a fallback (degraded pages) / all calls of the phase. */
  readonly maxDegradedShare?: number;
}

export interface LoadSpec {
  /** GetFeed calls per second, open loop. */
  readonly rate: number;
  readonly durationMs: number;
  readonly warmupMs: number;
  /** Per-call deadline. */
  readonly timeoutMs: number;
  readonly pageSize: number;
  readonly protocol: 'grpc' | 'connect';
  readonly maxInflight: number;
}

export interface MeshSpec {
  readonly users: number;
  readonly items: number;
}

export interface ChaosPlan {
  readonly name: string;
  readonly load: LoadSpec;
  readonly mesh: MeshSpec;
  /** Time after a fault has ended (the app ready again) whose calls still count in that fault's phase. */
  readonly recoveryMs: number;
  readonly slo: { readonly outside: PhaseThresholds; readonly during: PhaseThresholds };
  readonly faults: readonly FaultSpec[];
}

/** A plan field is wrong; the message names the field as `faults[1].action` (and the line, from a file). */
export class ChaosPlanError extends UsageError {}

type Path = readonly (string | number)[];

/** Resolves a field path to "source:line: " when the plan came from text, else "". */
type Locate = (path: Path) => string;

export function parsePlanText(text: string, source = 'plan'): ChaosPlan {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false });
  if (doc.errors.length > 0) {
    const error = doc.errors[0];
    const line = lines.linePos(error.pos[0]).line;
    throw new ChaosPlanError(`${source}:${line}: not valid YAML/JSON: ${error.message.split('\n')[0]}`);
  }
  return parsePlan(doc.toJS() as unknown, locatorOf(doc, lines, source));
}

function locatorOf(doc: Document, lines: LineCounter, source: string): Locate {
  return (path) => {
    // The deepest node that exists on the path: a missing field is reported at its parent.
    for (let depth = path.length; depth >= 0; depth--) {
      const node = depth === 0 ? doc.contents : doc.getIn(path.slice(0, depth), true);
      const range = (node as { range?: [number, number, number] } | undefined)?.range;
      if (range) return `${source}:${lines.linePos(range[0]).line}: `;
    }
    return `${source}: `;
  };
}

const DURATION = /^(\d+(?:\.\d+)?)(ms|s|m)$/;

export function parsePlan(input: unknown, locate: Locate = () => ''): ChaosPlan {
  const fail = (path: Path, message: string): never => {
    throw new ChaosPlanError(`${locate(path)}${fieldName(path)} ${message}`);
  };
  const root = objectAt(input, [], fail, ['name', 'load', 'mesh', 'recovery', 'slo', 'faults']);
  const num = (value: unknown, path: Path, check: (n: number) => boolean, rule: string): number => {
    if (typeof value !== 'number' || !Number.isFinite(value) || !check(value)) fail(path, `must be ${rule}, got ${show(value)}`);
    return value as number;
  };
  const duration = (value: unknown, path: Path, fallback?: number): number => {
    if (value === undefined && fallback !== undefined) return fallback;
    if (typeof value === 'number' && Number.isFinite(value) && value >= 0) return value;
    const match = typeof value === 'string' ? DURATION.exec(value.trim()) : null;
    if (match === null) return fail(path, `must be a duration like 500ms, 10s or 2m, got ${show(value)}`);
    return Number(match[1]) * { ms: 1, s: 1000, m: 60_000 }[match[2] as 'ms' | 's' | 'm'];
  };
  const oneOf = <T extends string>(value: unknown, path: Path, allowed: readonly T[]): T => {
    if (typeof value !== 'string' || !allowed.includes(value as T)) fail(path, `must be one of ${allowed.join(', ')}, got ${show(value)}`);
    return value as T;
  };

  const name = root.name === undefined ? 'chaos' : typeof root.name === 'string' ? root.name : fail(['name'], `must be a string, got ${show(root.name)}`);

  const loadIn = objectAt(root.load, ['load'], fail, ['rate', 'duration', 'warmup', 'timeout', 'pageSize', 'protocol', 'maxInflight']);
  const load: LoadSpec = {
    rate: num(loadIn.rate, ['load', 'rate'], (n) => n > 0, 'a number of calls per second > 0'),
    durationMs: duration(loadIn.duration, ['load', 'duration']),
    warmupMs: duration(loadIn.warmup, ['load', 'warmup'], 3_000),
    timeoutMs: duration(loadIn.timeout, ['load', 'timeout'], 2_000),
    pageSize: loadIn.pageSize === undefined ? 20 : num(loadIn.pageSize, ['load', 'pageSize'], (n) => Number.isInteger(n) && n >= 1, 'a positive integer'),
    protocol: loadIn.protocol === undefined ? 'grpc' : oneOf(loadIn.protocol, ['load', 'protocol'], ['grpc', 'connect'] as const),
    maxInflight: loadIn.maxInflight === undefined ? 256 : num(loadIn.maxInflight, ['load', 'maxInflight'], (n) => Number.isInteger(n) && n >= 1, 'a positive integer'),
  };
  if (!(load.durationMs > 0)) fail(['load', 'duration'], 'must be > 0');
  if (!(load.timeoutMs > 0)) fail(['load', 'timeout'], 'must be > 0');

  const meshIn = root.mesh === undefined ? {} : objectAt(root.mesh, ['mesh'], fail, ['users', 'items']);
  const count = (value: unknown, path: Path, fallback: number): number =>
    value === undefined ? fallback : num(value, path, (n) => Number.isInteger(n) && n >= 1, 'a positive integer');
  const mesh: MeshSpec = { users: count(meshIn.users, ['mesh', 'users'], 60), items: count(meshIn.items, ['mesh', 'items'], 2_000) };

  const recoveryMs = duration(root.recovery, ['recovery'], 2_000);

  const sloIn = objectAt(root.slo, ['slo'], fail, ['outside', 'during']);
  const thresholds = (value: unknown, path: Path): PhaseThresholds => {
    const t = objectAt(value, path, fail, ['p99Ms', 'p50Ms', 'maxErrorRate', 'maxDegradedShare']);
    const ms = (key: string) => (t[key] === undefined ? undefined : num(t[key], [...path, key], (n) => n > 0, 'a number of ms > 0'));
    const share = (key: string) => (t[key] === undefined ? undefined : num(t[key], [...path, key], (n) => n >= 0 && n <= 1, 'a fraction within [0, 1]'));
    const result = { maxP99Ms: ms('p99Ms'), maxP50Ms: ms('p50Ms'), maxErrorRate: share('maxErrorRate'), maxDegradedShare: share('maxDegradedShare') };
    if (Object.values(result).every((v) => v === undefined)) fail(path, 'must set at least one of p99Ms, p50Ms, maxErrorRate, maxDegradedShare');
    return result;
  };
  const slo = { outside: thresholds(sloIn.outside, ['slo', 'outside']), during: thresholds(sloIn.during, ['slo', 'during']) };

  if (!Array.isArray(root.faults)) fail(['faults'], `must be a list of faults, got ${show(root.faults)}`);
  const faults = (root.faults as unknown[]).map((raw, index): FaultSpec => {
    const path = ['faults', index];
    const f = objectAt(raw, path, fail, ['at', 'for', 'action', 'app', 'dependency', 'ms']);
    const action = oneOf(f.action, [...path, 'action'], FAULT_ACTIONS);
    const atMs = duration(f.at, [...path, 'at']);
    // A restart is one event (SIGTERM, start again): it has no duration of its own.
    const forMs = action === 'restart' ? duration(f.for, [...path, 'for'], 0) : duration(f.for, [...path, 'for']);
    if (action !== 'restart' && !(forMs > 0)) fail([...path, 'for'], 'must be > 0');
    if (atMs + forMs > load.durationMs) fail([...path, 'for'], `ends at ${(atMs + forMs) / 1000}s, after the load (${load.durationMs / 1000}s)`);
    const needsApp = action !== 'redis-restart';
    if (!needsApp && f.app !== undefined) fail([...path, 'app'], 'is not used by redis-restart (it restarts the run\'s own redis-server)');
    const app = needsApp ? oneOf(f.app, [...path, 'app'], MESH_APPS) : undefined;
    const isLatency = action === 'latency';
    if (!isLatency && f.dependency !== undefined) fail([...path, 'dependency'], 'is only used by latency');
    if (!isLatency && f.ms !== undefined) fail([...path, 'ms'], 'is only used by latency');
    const dependency = isLatency ? oneOf(f.dependency, [...path, 'dependency'], DEPENDENCIES) : undefined;
    const ms = isLatency ? num(f.ms, [...path, 'ms'], (n) => n > 0, 'a number of ms > 0') : 0;
    return { index, action, atMs, forMs, app, dependency, ms };
  });
  if (faults.length === 0) fail(['faults'], 'must list at least one fault');
  // Phases are per fault: a call in two overlapping windows could not be charged to one of them.
  const ordered = [...faults].sort((a, b) => a.atMs - b.atMs);
  for (let i = 1; i < ordered.length; i++) {
    const before = ordered[i - 1];
    const end = before.atMs + before.forMs + recoveryMs;
    if (ordered[i].atMs < end) {
      fail(['faults', ordered[i].index, 'at'], `overlaps faults[${before.index}] (its window with recovery ends at ${end / 1000}s): phases need disjoint fault windows`);
    }
  }
  return { name, load, mesh, recoveryMs, slo, faults };
}

/** "kill ranking", "latency recall→redis +30 ms", "redis-restart". */
export function describeFault(fault: FaultSpec): string {
  if (fault.action === 'latency') return `latency ${fault.app}→${fault.dependency} +${fault.ms}ms`;
  if (fault.action === 'redis-restart') return 'redis-restart';
  return `${fault.action} ${fault.app}`;
}

function objectAt(value: unknown, path: Path, fail: (path: Path, message: string) => never, known: readonly string[]): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return fail(path, `must be an object, got ${show(value)}`);
  for (const key of Object.keys(value)) {
    if (!known.includes(key)) fail([...path, key], `is not a known field (known: ${known.join(', ')})`);
  }
  return value as Record<string, unknown>;
}

function fieldName(path: Path): string {
  if (path.length === 0) return 'the plan';
  return path.map((part, i) => (typeof part === 'number' ? `[${part}]` : i === 0 ? part : `.${part}`)).join('');
}

function show(value: unknown): string {
  return value === undefined ? 'nothing' : JSON.stringify(value);
}
