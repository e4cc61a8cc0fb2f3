// Command-line flags → LoadOptions plus output choices. Usage errors throw UsageError (exit 1).
import { parseArgs } from 'node:util';
import type { LoadOptions } from './load-options.js';
import { UsageError } from './method-resolver.js';
import type { ScenarioCommand } from './scenario/scenario-command.js';

export interface CliCommand {
  readonly help: boolean;
  readonly load: LoadOptions;
  /** Print the JSON report on stdout instead of the table. */
  readonly json: boolean;
  /** Also write the JSON report to this file. */
  readonly reportFile: string | undefined;
  /** Live progress on stderr; undefined means "when stderr is a TTY and not in CI". */
  readonly progress: boolean | undefined;
  /** Scenario mode (--scenario, or --stages with --method); undefined for the single-method run. */
  readonly scenario: ScenarioCommand | undefined;
}

export const USAGE = `Usage: feedmesh-loadgen --target HOST:PORT --method SERVICE/METHOD [options]

Load:
  --method NAME            feedmesh.feed.v1.FeedService/GetFeed or FeedService/GetFeed
  --target ADDR            gRPC: host:port; Connect: http://host:port
Method and message types (default: feedmesh's contracts):
  --reflect                ask the server (gRPC server reflection v1 / v1alpha)
  --proto FILE             from .proto files, compiled in-process (repeatable)
  --import-path DIR        import root for --proto (repeatable; default: each file's directory)
  --protoset FILE          from a FileDescriptorSet, e.g. \`buf build -o x.binpb\`
  --protocol P             grpc (default, node:http2), grpc-js (@grpc/grpc-js) or connect (JSON, HTTP/1.1)
  --body JSON              request as proto JSON, with {{var}} placeholders (default {})
  --var NAME=SPEC          range:u1..u100000 | list:a,b,c | file:ids.txt | uuid (repeatable)
  --concurrency N          closed loop: calls in flight (default 16)
  --rate R                 open loop: calls per second, latency from intended send time
  --max-inflight N         open loop: cap on calls in flight (default 1000)
  --warmup D               not recorded, e.g. 2s (default 0)
  --duration D             measured time, e.g. 30s, 500ms, 1m (default 10s)
  --requests N             bound on measured calls
  --connections N          gRPC connections / Connect sockets
  --workers N              split the load over N worker threads (default 1)
  --timeout-ms MS          per-call deadline (default 5000)
  --metadata K=V           request header (repeatable)
  --trace-sample F         fraction sent with the traceparent sampled flag (default 0.01)
  --skip-decode            count responses without decoding them (cheaper client)
Scenarios:
  --scenario FILE          weighted journeys of steps from a YAML or JSON file (see README)
  --stages LIST            e.g. 30s@100/s,2m@500/s,30s@0 (journeys/s) or 30s@16vu; overrides the file's;
                           with --method alone, runs that call as a one-step journey
  --auth-secret SECRET     HS256 key for auth: user/service (default AUTH_TOKEN_SECRET, .feedmesh/dev-keys.json)
Output:
  --json                   JSON report on stdout instead of the table
  --report FILE            also write the report to FILE: .html a self-contained page with plots, else JSON
  --progress               live progress on stderr even when it is not a TTY
Gates (exit 2 when missed):
  --max-p99-ms MS  --max-p50-ms MS  --max-error-rate FRACTION
`;

export function parseCli(argv: readonly string[]): CliCommand {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        help: { type: 'boolean', short: 'h' },
        method: { type: 'string' },
        target: { type: 'string' },
        reflect: { type: 'boolean' },
        proto: { type: 'string', multiple: true },
        'import-path': { type: 'string', multiple: true },
        protoset: { type: 'string' },
        protocol: { type: 'string' },
        body: { type: 'string' },
        var: { type: 'string', multiple: true },
        concurrency: { type: 'string', short: 'c' },
        rate: { type: 'string' },
        'max-inflight': { type: 'string' },
        warmup: { type: 'string' },
        duration: { type: 'string', short: 'd' },
        requests: { type: 'string', short: 'n' },
        connections: { type: 'string' },
        workers: { type: 'string', short: 'w' },
        'timeout-ms': { type: 'string' },
        metadata: { type: 'string', multiple: true },
        'trace-sample': { type: 'string' },
        'skip-decode': { type: 'boolean' },
        json: { type: 'boolean' },
        report: { type: 'string' },
        progress: { type: 'boolean' },
        'max-p99-ms': { type: 'string' },
        'max-p50-ms': { type: 'string' },
        'max-error-rate': { type: 'string' },
        scenario: { type: 'string' },
        stages: { type: 'string' },
        'auth-secret': { type: 'string' },
      },
    }));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (values.help) return { help: true, load: { target: '', method: '' }, json: false, reportFile: undefined, progress: undefined, scenario: undefined };
  const scenario: ScenarioCommand | undefined =
    values.scenario !== undefined || values.stages !== undefined
      ? { scenarioFile: values.scenario, stages: values.stages, authSecret: values['auth-secret'] }
      : undefined;
  if (scenario === undefined && values['auth-secret'] !== undefined) throw new UsageError('--auth-secret applies to --scenario (auth: user / service)');
  if (values.method === undefined && values.scenario === undefined) throw new UsageError('--method is required (or --scenario FILE)');
  if (values.method !== undefined && values.scenario !== undefined) throw new UsageError('use either --method or --scenario (the scenario names its methods)');
  if (values.target === undefined && values.scenario === undefined) throw new UsageError('--target is required');
  if (values.protocol !== undefined && values.protocol !== 'grpc' && values.protocol !== 'grpc-js' && values.protocol !== 'connect') {
    throw new UsageError(`--protocol must be grpc, grpc-js or connect, got "${values.protocol}"`);
  }
  if (values.rate !== undefined && values.concurrency !== undefined) throw new UsageError('use either --concurrency (closed loop) or --rate (open loop)');
  if (values['max-inflight'] !== undefined && values.rate === undefined) throw new UsageError('--max-inflight applies to --rate (open loop) only');

  const load: LoadOptions = {
    target: values.target ?? '',
    method: values.method ?? '',
    reflect: values.reflect ?? false,
    protoFiles: values.proto ?? [],
    importPaths: values['import-path'] ?? [],
    protoset: values.protoset,
    protocol: values.protocol as LoadOptions['protocol'],
    body: values.body,
    variables: values.var ?? [],
    concurrency: optionalNumber('--concurrency', values.concurrency),
    rate: optionalNumber('--rate', values.rate),
    maxInflight: optionalNumber('--max-inflight', values['max-inflight']),
    warmupMs: values.warmup === undefined ? undefined : parseDurationMs('--warmup', values.warmup),
    durationMs: values.duration === undefined ? undefined : parseDurationMs('--duration', values.duration),
    requests: optionalNumber('--requests', values.requests),
    connections: optionalNumber('--connections', values.connections),
    workers: optionalNumber('--workers', values.workers),
    timeoutMs: optionalNumber('--timeout-ms', values['timeout-ms']),
    metadata: (values.metadata ?? []).map(parseMetadata),
    traceSample: optionalNumber('--trace-sample', values['trace-sample']),
    decodeResponses: !values['skip-decode'],
    slo: {
      maxP99Ms: optionalNumber('--max-p99-ms', values['max-p99-ms']),
      maxP50Ms: optionalNumber('--max-p50-ms', values['max-p50-ms']),
      maxErrorRate: optionalNumber('--max-error-rate', values['max-error-rate']),
    },
  };
  return { help: false, load, json: values.json ?? false, reportFile: values.report, progress: values.progress, scenario };
}

/** "2s", "500ms", "1m", "1.5s"; a bare number means seconds. */
export function parseDurationMs(flag: string, text: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(text.trim());
  if (match === null) throw new UsageError(`${flag} must be a duration like 500ms, 2s or 1m, got "${text}"`);
  const value = Number(match[1]);
  const unit = match[2] ?? 's';
  return unit === 'ms' ? value : unit === 's' ? value * 1000 : value * 60_000;
}

function optionalNumber(flag: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value)) throw new UsageError(`${flag} must be a number, got "${text}"`);
  return value;
}

function parseMetadata(text: string): readonly [string, string] {
  const equals = text.indexOf('=');
  if (equals <= 0) throw new UsageError(`--metadata must look like key=value, got "${text}"`);
  const key = text.slice(0, equals).trim().toLowerCase();
  if (!/^[0-9a-z_.-]+$/.test(key) || key.endsWith('-bin')) throw new UsageError(`--metadata key "${key}" is not a valid ASCII header name`);
  return [key, text.slice(equals + 1)];
}
