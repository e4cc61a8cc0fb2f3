export { startTelemetry, type Telemetry, type TelemetryOptions } from './start-telemetry.js';
export { createLogger, type Logger } from './logger.js';
export { withSpan } from './with-span.js';
