import { appendFileSync } from 'node:fs';
import fc from 'fast-check';
import { codeName, printAnswer, type Answer } from './answer.js';
import { ConnectSender } from './connect-sender.js';
import type { FuzzTarget, Protocol } from './fuzz-targets.js';
import { GrpcSender } from './grpc-sender.js';
import { judge, propertyNames, type PropertyName, type Violation } from './judge.js';
import type { ShapeContext } from './message-arbitrary.js';
import { wireCaseArbitrary, type WireCase } from './wire-case.js';

export interface FuzzOptions {
  /** Cases for this target and protocol. */
  readonly runs: number;
  /** Properties checked side by side: the number of requests in flight. */
  readonly concurrency: number;
  readonly seed: number;
  /** host:port of the app serving the target (both protocols share the port). */
  readonly address: string;
  /** Why a server process is gone or unhealthy, or undefined while all are fine. */
  readonly serversDown: () => string | undefined;
  readonly properties?: ReadonlySet<PropertyName>;
  readonly timeoutMs?: number;
  /** Requests spent shrinking one failure before the smallest so far is reported. */
  readonly shrinkBudget?: number;
  /** Appends every case and its answer to this file (FUZZ_LOG), to see what the runs reached. */
  readonly logFile?: string;
}

export interface FuzzReport {
  readonly target: string;
  readonly protocol: Protocol;
  readonly runs: number;
  /** Answers by code name, e.g. { OK: 812, InvalidArgument: 1190 }. */
  readonly codes: Record<string, number>;
  /** The shrunk counterexample of each failed shard, readable. */
  readonly failures: string[];
  /** Properties violated at least once, with the first (unshrunk) case seen. */
  readonly violated: Map<PropertyName, string>;
}

class FuzzFailure extends Error {
  constructor(readonly violations: Violation[], answer: Answer) {
    super(`${violations.map((v) => `[${v.property}] ${v.detail}`).join('\n')}\n  answer: ${printAnswer(answer)}`);
  }
}

export function describeCase(c: WireCase): string {
  const request = c.http
    ? `${c.http.method} ${c.http.pathAndQuery.length > 160 ? `${c.http.pathAndQuery.slice(0, 160)}… (${c.http.pathAndQuery.length} chars)` : c.http.pathAndQuery}${Object.entries(c.http.headers)
        .map(([k, v]) => ` ${k}: ${JSON.stringify(v)}`)
        .join('')}`
    : `gRPC /${c.target.service.typeName}/${c.target.method.name}`;
  return `${c.target.name} over ${c.protocol}: ${c.change}\n  request: ${request}\n  message: ${c.preview}\n  expected: ${c.expect}`;
}

/**
 * Runs `runs` generated cases against one method over one protocol, `concurrency` property runs
 * side by side (different seeds), each shrinking its first failure. Never throws for a finding:
 * the report says what failed; `formatReport` prints it.
 */
export async function fuzzMethod(target: FuzzTarget, protocol: Protocol, ctx: ShapeContext, options: FuzzOptions): Promise<FuzzReport> {
  const timeoutMs = options.timeoutMs ?? 15_000;
  const selected = options.properties ?? new Set(propertyNames);
  const grpc = protocol === 'grpc' ? new GrpcSender(options.address, timeoutMs) : undefined;
  const http = new ConnectSender(`http://${options.address}`, timeoutMs);
  const path = `/${target.service.typeName}/${target.method.name}`;
  const codes: Record<string, number> = {};
  const violated = new Map<PropertyName, string>();
  let serversGone = false;

  const arbitrary = wireCaseArbitrary(target, protocol, ctx).map((c) => Object.assign(c, { [fc.toStringMethod]: () => describeCase(c) }));
  const shard = async (index: number, runs: number): Promise<string | undefined> => {
    let failedAt: number | undefined;
    let calls = 0;
    const property = fc.asyncProperty(arbitrary, async (c) => {
      calls++;
      // Shrinking against a dead server, or past the budget, proves nothing: keep the case we have.
      if (serversGone || (failedAt !== undefined && calls - failedAt > (options.shrinkBudget ?? 400))) return;
      const answer = grpc ? await grpc.send(path, c.grpcBody!) : await http.send(c.http!);
      codes[codeName(answer.code)] = (codes[codeName(answer.code)] ?? 0) + 1;
      if (options.logFile) appendFileSync(options.logFile, `${describeCase(c)}\n  answer: ${printAnswer(answer)}\n\n`);
      const violations = judge(c, answer);
      const down = options.serversDown();
      if (down) {
        serversGone = true;
        violations.push({ property: 'server-alive', detail: down });
      }
      const kept = violations.filter((v) => selected.has(v.property));
      for (const v of kept) if (!violated.has(v.property)) violated.set(v.property, `${describeCase(c)}\n  answer: ${printAnswer(answer)}`);
      if (kept.length) {
        failedAt ??= calls;
        throw new FuzzFailure(kept, answer);
      }
    });
    const details = await fc.check(property, { numRuns: runs, seed: options.seed + index, verbose: 0 });
    if (!details.failed) return undefined;
    const example = details.counterexample?.[0] as WireCase | undefined;
    return [
      `${target.name} over ${protocol} — minimal counterexample after ${details.numShrinks} shrinks (seed ${details.seed}, path "${details.counterexamplePath}"):`,
      example ? describeCase(example) : '(no counterexample)',
      details.errorInstance instanceof Error ? details.errorInstance.message : String(details.errorInstance),
    ].join('\n');
  };
  try {
    const perShard = Math.ceil(options.runs / options.concurrency);
    const results = await Promise.all(Array.from({ length: options.concurrency }, (_, i) => shard(i, perShard)));
    return { target: target.name, protocol, runs: perShard * options.concurrency, codes, failures: results.filter((r): r is string => r !== undefined), violated };
  } finally {
    grpc?.close();
  }
}

export function formatReport(report: FuzzReport): string {
  const lines = [`${report.target} over ${report.protocol}: ${report.runs} cases, answers ${JSON.stringify(report.codes)}`];
  if (report.violated.size) lines.push(`properties violated: ${[...report.violated.keys()].join(', ')}`);
  lines.push(...report.failures.map((f) => `\n${f}`));
  for (const [property, first] of report.violated) lines.push(`\nfirst case that violated ${property} (unshrunk):\n${first}`);
  return lines.join('\n');
}
