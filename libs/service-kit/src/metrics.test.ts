import { describe, expect, it } from 'vitest';
import { findSample, parsePrometheusText } from '../test/support/prometheus-text.js';
import { ServiceMetrics } from './metrics.js';

/** The value of the sample with this name whose labels include `labels`, as /metrics shows it. */
async function sample(metrics: ServiceMetrics, name: string, labels: Record<string, string> = {}): Promise<number | undefined> {
  return findSample(parsePrometheusText(await metrics.registry.metrics()), name, { app: 'test', ...labels })?.value;
}

describe('ServiceMetrics', () => {
  it('hands out one latency recorder per method and protocol', () => {
    const metrics = new ServiceMetrics('test');
    expect(metrics.serverLatency('s.S', 'M', 'grpc')).toBe(metrics.serverLatency('s.S', 'M', 'grpc'));
    expect(metrics.serverLatency('s.S', 'M', 'grpc')).not.toBe(metrics.serverLatency('s.S', 'M', 'connect'));
    expect(metrics.clientLatency('s.S', 'M')).toBe(metrics.clientLatency('s.S', 'M'));
  });

  it('counts server calls by method, status code name and protocol, through either entry point', async () => {
    const metrics = new ServiceMetrics('test');
    const latency = metrics.serverLatency('s.S', 'M', 'grpc');
    for (const code of [0, 0, 5, 99]) {
      metrics.serverStarted();
      metrics.serverEnded(latency, code, 0.002);
    }
    metrics.serverStarted();
    metrics.serverFinished('s.S', 'M', 0, 'connect', 0.0001);
    const labels = (code: string, protocol: string) => ({ rpc_service: 's.S', rpc_method: 'M', rpc_grpc_status_code: code, protocol });
    expect(await sample(metrics, 'rpc_server_duration_seconds_count', labels('OK', 'grpc'))).toBe(2);
    expect(await sample(metrics, 'rpc_server_duration_seconds_count', labels('NOT_FOUND', 'grpc'))).toBe(1);
    expect(await sample(metrics, 'rpc_server_duration_seconds_count', labels('99', 'grpc'))).toBe(1);
    expect(await sample(metrics, 'rpc_server_duration_seconds_count', labels('OK', 'connect'))).toBe(1);
    expect(await sample(metrics, 'rpc_server_duration_seconds_sum', labels('OK', 'grpc'))).toBeCloseTo(0.004);
    expect(await sample(metrics, 'rpc_server_duration_seconds_bucket', { ...labels('OK', 'grpc'), le: '0.0025' })).toBe(2);
    expect(await sample(metrics, 'rpc_server_duration_seconds_bucket', { ...labels('OK', 'grpc'), le: '0.001' })).toBe(0);
  });

  it('counts client calls by method and status code name', async () => {
    const metrics = new ServiceMetrics('test');
    metrics.clientLatency('s.S', 'M').observe(14, 0.01);
    metrics.clientFinished('s.S', 'M', 14, 0.02);
    metrics.clientFinished('s.S', 'M', 0, 0.02);
    const labels = (code: string) => ({ rpc_service: 's.S', rpc_method: 'M', rpc_grpc_status_code: code });
    expect(await sample(metrics, 'rpc_client_duration_seconds_count', labels('UNAVAILABLE'))).toBe(2);
    expect(await sample(metrics, 'rpc_client_duration_seconds_count', labels('OK'))).toBe(1);
  });

  it('reports the calls in flight at scrape time', async () => {
    const metrics = new ServiceMetrics('test');
    expect(await sample(metrics, 'rpc_server_in_flight')).toBe(0);
    metrics.serverStarted();
    metrics.serverStarted();
    expect(await sample(metrics, 'rpc_server_in_flight')).toBe(2);
    metrics.serverEnded(metrics.serverLatency('s.S', 'M', 'grpc'), 0, 0.001);
    expect(await sample(metrics, 'rpc_server_in_flight')).toBe(1);
  });

  it('reports the version it runs as feedmesh_build_info = 1', async () => {
    expect(await sample(new ServiceMetrics('test', '0.1.0+3f2c9ab1d0e4'), 'feedmesh_build_info', { version: '0.1.0+3f2c9ab1d0e4' })).toBe(1);
    expect(await sample(new ServiceMetrics('test'), 'feedmesh_build_info', { version: 'unknown' })).toBe(1);
  });

  it('reports readiness as /readyz decides it: every check ok, and not draining', async () => {
    const metrics = new ServiceMetrics('test');
    let results: Record<string, string> | undefined = { postgres: 'ok', redis: 'ok' };
    metrics.registerReadiness(() => results && Promise.resolve(results));
    expect(await sample(metrics, 'feedmesh_app_ready')).toBe(1);
    expect(await sample(metrics, 'feedmesh_readiness_check_up', { check: 'redis' })).toBe(1);
    results = { postgres: 'ok', redis: 'timed out after 1000 ms' };
    await new Promise((r) => setImmediate(r));
    expect(await sample(metrics, 'feedmesh_app_ready')).toBe(0);
    expect(await sample(metrics, 'feedmesh_readiness_check_up', { check: 'redis' })).toBe(0);
    expect(await sample(metrics, 'feedmesh_readiness_check_up', { check: 'postgres' })).toBe(1);
    results = undefined;
    await new Promise((r) => setImmediate(r));
    expect(await sample(metrics, 'feedmesh_app_ready')).toBe(0);
  });
});
