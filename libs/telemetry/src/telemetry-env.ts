import { cleanEnv, str } from 'envalid';

/**
 * The OpenTelemetry settings this library reads or defaults. The SDK reads these (and the other
 * standard OTEL_* variables: protocol, headers, sampler, batch tuning) from the process
 * environment itself, so defaults are written back there before it starts.
 */
export const telemetryEnvSpec = {
  OTEL_SERVICE_NAME: str({ default: '', desc: 'Service name on spans; empty = the app\'s name' }),
  OTEL_EXPORTER_OTLP_ENDPOINT: str({ default: '', desc: 'OTLP endpoint; traces are exported only when this or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT is set' }),
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: str({ default: '', desc: 'OTLP endpoint for traces only' }),
  OTEL_TRACES_EXPORTER: str({ default: '', desc: '"none" turns trace export off even with an endpoint' }),
  OTEL_METRICS_EXPORTER: str({ default: 'none', desc: 'The SDK\'s metric exporter; metrics are served by /metrics (Prometheus) instead' }),
  OTEL_LOGS_EXPORTER: str({ default: 'none', desc: 'The SDK\'s log exporter; logs go to stdout as JSON' }),
};

export interface TelemetrySettings {
  serviceName: string;
  /** True when traces leave the process (an OTLP endpoint is set and export is not "none"). */
  exporting: boolean;
}

/** Reads the telemetry settings from `env` (the process environment by default) and writes the SDK's defaults back into it. */
export function telemetrySettings(defaultServiceName: string, env: NodeJS.ProcessEnv = process.env): TelemetrySettings {
  const given = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== ''));
  const settings = cleanEnv(given, telemetryEnvSpec, {
    reporter: ({ errors }) => {
      const bad = Object.keys(errors);
      if (bad.length) throw new Error(`invalid telemetry configuration: ${bad.join(', ')}`);
    },
  });
  const serviceName = settings.OTEL_SERVICE_NAME || defaultServiceName;
  env.OTEL_SERVICE_NAME = serviceName;
  env.OTEL_METRICS_EXPORTER = settings.OTEL_METRICS_EXPORTER;
  env.OTEL_LOGS_EXPORTER = settings.OTEL_LOGS_EXPORTER;
  const endpoint = settings.OTEL_EXPORTER_OTLP_ENDPOINT || settings.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT;
  return { serviceName, exporting: Boolean(endpoint) && settings.OTEL_TRACES_EXPORTER !== 'none' };
}
