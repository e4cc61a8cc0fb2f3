export { startTelemetry, type Telemetry, type TelemetryOptions } from './start-telemetry.js';
export { createLogger, type Logger } from './logger.js';
export { withSpan, type SpanAttributes } from './with-span.js';
export { telemetryEnvSpec } from './telemetry-env.js';
