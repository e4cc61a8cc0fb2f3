import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { grpcCodeName } from './errors.js';

/** Latency buckets in seconds: sub-millisecond hops up to multi-second stragglers. */
const latencyBuckets = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.085, 0.1, 0.25, 0.5, 1, 2.5, 5];

export type PoolStats = () => Record<string, { total: number; idle: number; waiting: number }>;

type HistogramChild = ReturnType<Histogram<string>['labels']>;

/**
 * The latency histogram of one method (on one side, over one protocol), its prom-client children
 * cached by status code: a finished call observes without building a label object or key.
 */
export class MethodLatency {
  private readonly byCode: Array<HistogramChild | undefined> = [];

  constructor(private readonly child: (codeName: string) => HistogramChild) {}

  observe(code: number, seconds: number): void {
    let child = this.byCode[code];
    if (!child) {
      child = this.child(grpcCodeName(code));
      // Status codes are small integers (0–16); anything else still works, just uncached.
      if (Number.isInteger(code) && code >= 0 && code < 64) this.byCode[code] = child;
    }
    child.observe(seconds);
  }
}

/**
 * Prometheus metrics of one app: RPC rate, errors by code and latency per method (server and
 * client side, RPC semconv names), connection pool stats and Node's default process metrics.
 */
export class ServiceMetrics {
  readonly registry = new Registry();
  private readonly serverDuration: Histogram<string>;
  private readonly clientDuration: Histogram<string>;
  private readonly clientRetries: Counter<string>;
  private readonly shed: Counter<string>;
  // prom-client hashes label sets on every observe: children are cached per method and code.
  private readonly serverLatencies = new Map<string, MethodLatency>();
  private readonly clientLatencies = new Map<string, MethodLatency>();
  /** Calls being served; read by the gauge at scrape time rather than updated in it per call. */
  private inFlightCalls = 0;

  /** `version`: what the app runs (build-info.ts), as `feedmesh_build_info{version}` = 1, to tell a canary's series apart. */
  constructor(app: string, version = 'unknown') {
    this.registry.setDefaultLabels({ app });
    collectDefaultMetrics({ register: this.registry });
    new Gauge({
      name: 'feedmesh_build_info',
      help: 'The version this process runs (value 1); join on app and instance to split any series by version.',
      labelNames: ['version'],
      registers: [this.registry],
    })
      .labels(version)
      .set(1);
    this.serverDuration = new Histogram({
      name: 'rpc_server_duration_seconds',
      help: 'Server-side RPC latency by method, protocol and status code (count = request rate).',
      labelNames: ['rpc_service', 'rpc_method', 'rpc_grpc_status_code', 'protocol'],
      buckets: latencyBuckets,
      registers: [this.registry],
    });
    this.clientDuration = new Histogram({
      name: 'rpc_client_duration_seconds',
      help: 'Client-side RPC latency to other apps by method and status code.',
      labelNames: ['rpc_service', 'rpc_method', 'rpc_grpc_status_code'],
      buckets: latencyBuckets,
      registers: [this.registry],
    });
    const inFlightCalls = () => this.inFlightCalls;
    new Gauge({
      name: 'rpc_server_in_flight',
      help: 'RPCs being served right now.',
      registers: [this.registry],
      collect() {
        this.set(inFlightCalls());
      },
    });
    this.shed = new Counter({
      name: 'rpc_server_shed_total',
      help: 'RPCs refused with RESOURCE_EXHAUSTED by admission (MAX_CONCURRENT_CALLS / MAX_QUEUED_CALLS), by protocol and reason.',
      labelNames: ['protocol', 'reason'],
      registers: [this.registry],
    });
    this.clientRetries = new Counter({
      name: 'rpc_client_retries_total',
      help: 'Client retries of UNAVAILABLE calls by method.',
      labelNames: ['rpc_service', 'rpc_method'],
      registers: [this.registry],
    });
  }

  serverStarted(): void {
    this.inFlightCalls++;
  }

  /** The server latency of one method over one protocol; look it up once, not per call. */
  serverLatency(service: string, method: string, protocol: string): MethodLatency {
    const key = `${service}/${method}/${protocol}`;
    let latency = this.serverLatencies.get(key);
    if (!latency) {
      const histogram = this.serverDuration;
      latency = new MethodLatency((code) => histogram.labels({ rpc_service: service, rpc_method: method, rpc_grpc_status_code: code, protocol }));
      this.serverLatencies.set(key, latency);
    }
    return latency;
  }

  /** Ends a call counted by `serverStarted`, observing its latency. */
  serverEnded(latency: MethodLatency, code: number, seconds: number): void {
    this.inFlightCalls--;
    latency.observe(code, seconds);
  }

  /** A call refused by admission: never started, so in-flight is untouched; it counts as RESOURCE_EXHAUSTED. */
  serverShed(latency: MethodLatency, protocol: string, reason: string, seconds: number): void {
    this.shed.labels(protocol, reason).inc();
    latency.observe(8, seconds);
  }

  /** Reads the admission queue length and limit on every scrape. */
  registerAdmission(admission: { readonly queued: number; readonly limit: number }): void {
    new Gauge({
      name: 'rpc_server_queued',
      help: 'RPCs waiting for a slot (the concurrency limit reached).',
      registers: [this.registry],
      collect() {
        this.set(admission.queued);
      },
    });
    new Gauge({
      name: 'rpc_server_concurrency_limit',
      help: 'RPCs admission lets run at once now (adaptive: found from latency, at most MAX_CONCURRENT_CALLS); 0 = no limit.',
      registers: [this.registry],
      collect() {
        this.set(admission.limit);
      },
    });
  }

  serverFinished(service: string, method: string, code: number, protocol: string, seconds: number): void {
    this.serverEnded(this.serverLatency(service, method, protocol), code, seconds);
  }

  /** The client latency of calls to one method; look it up once, not per call. */
  clientLatency(service: string, method: string): MethodLatency {
    const key = `${service}/${method}`;
    let latency = this.clientLatencies.get(key);
    if (!latency) {
      const histogram = this.clientDuration;
      latency = new MethodLatency((code) => histogram.labels({ rpc_service: service, rpc_method: method, rpc_grpc_status_code: code }));
      this.clientLatencies.set(key, latency);
    }
    return latency;
  }

  clientFinished(service: string, method: string, code: number, seconds: number): void {
    this.clientLatency(service, method).observe(code, seconds);
  }

  clientRetried(service: string, method: string): void {
    this.clientRetries.labels(service, method).inc();
  }

  /**
   * Readiness as a series, so an app that answers but is not ready (its /readyz says 503) can
   * alert: `feedmesh_app_ready` is 1 or 0, `feedmesh_readiness_check_up{check}` says which
   * dependency failed. `readiness` is run at scrape time; undefined means draining (all checks
   * are skipped and the app is not ready).
   */
  registerReadiness(readiness: () => Promise<Record<string, string>> | undefined): void {
    let current: Promise<Record<string, string> | undefined> | undefined;
    // Both gauges of one scrape share one run of the checks.
    const checks = () => (current ??= Promise.resolve(readiness()).finally(() => setImmediate(() => (current = undefined))));
    new Gauge({
      name: 'feedmesh_app_ready',
      help: 'Whether the app is ready (1) or not (0: draining, or a readiness check failed), as /readyz answers.',
      registers: [this.registry],
      async collect() {
        const results = await checks();
        this.set(results !== undefined && Object.values(results).every((r) => r === 'ok') ? 1 : 0);
      },
    });
    new Gauge({
      name: 'feedmesh_readiness_check_up',
      help: "Each readiness check's last result at scrape time (1 ok, 0 failed or timed out).",
      labelNames: ['check'],
      registers: [this.registry],
      async collect() {
        const results = await checks();
        this.reset();
        for (const [check, result] of Object.entries(results ?? {})) this.labels(check).set(result === 'ok' ? 1 : 0);
      },
    });
  }

  /** Reports connection pools (pg, redis…) on every scrape. */
  registerPools(stats: PoolStats): void {
    new Gauge({
      name: 'db_client_connections',
      help: 'Connection pool usage by pool and state.',
      labelNames: ['pool', 'state'],
      registers: [this.registry],
      collect() {
        for (const [pool, s] of Object.entries(stats())) {
          this.labels(pool, 'total').set(s.total);
          this.labels(pool, 'idle').set(s.idle);
          this.labels(pool, 'waiting').set(s.waiting);
        }
      },
    });
  }
}

/** Metrics shared by every client of the process (clients may be created before the app). */
let processMetrics: ServiceMetrics | undefined;
export function setProcessMetrics(metrics: ServiceMetrics): void {
  processMetrics = metrics;
}
export function getProcessMetrics(): ServiceMetrics | undefined {
  return processMetrics;
}
