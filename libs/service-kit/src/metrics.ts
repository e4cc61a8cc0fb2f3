import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { grpcCodeName } from './errors.js';

/** Latency buckets in seconds: sub-millisecond hops up to multi-second stragglers. */
const latencyBuckets = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.085, 0.1, 0.25, 0.5, 1, 2.5, 5];

export type PoolStats = () => Record<string, { total: number; idle: number; waiting: number }>;

/**
 * Prometheus metrics of one app: RPC rate, errors by code and latency per method (server and
 * client side, RPC semconv names), connection pool stats and Node's default process metrics.
 */
export class ServiceMetrics {
  readonly registry = new Registry();
  private readonly serverDuration: Histogram<string>;
  private readonly clientDuration: Histogram<string>;
  private readonly inFlight: Gauge<string>;
  private readonly clientRetries: Counter<string>;
  // prom-client hashes label sets on every observe; caching the bound child keeps it at ~0.3 µs.
  private readonly serverChildren = new Map<string, ReturnType<Histogram<string>['labels']>>();
  private readonly clientChildren = new Map<string, ReturnType<Histogram<string>['labels']>>();

  constructor(app: string) {
    this.registry.setDefaultLabels({ app });
    collectDefaultMetrics({ register: this.registry });
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
    this.inFlight = new Gauge({
      name: 'rpc_server_in_flight',
      help: 'RPCs being served right now.',
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
    this.inFlight.inc();
  }

  serverFinished(service: string, method: string, code: number, protocol: string, seconds: number): void {
    this.inFlight.dec();
    const key = `${service}/${method}/${code}/${protocol}`;
    let child = this.serverChildren.get(key);
    if (!child) {
      child = this.serverDuration.labels(service, method, grpcCodeName(code), protocol);
      this.serverChildren.set(key, child);
    }
    child.observe(seconds);
  }

  clientFinished(service: string, method: string, code: number, seconds: number): void {
    const key = `${service}/${method}/${code}`;
    let child = this.clientChildren.get(key);
    if (!child) {
      child = this.clientDuration.labels(service, method, grpcCodeName(code));
      this.clientChildren.set(key, child);
    }
    child.observe(seconds);
  }

  clientRetried(service: string, method: string): void {
    this.clientRetries.labels(service, method).inc();
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
