// The outbox workers as their own process (`node apps/ingest/dist/worker.js`), for scaling
// fan-out apart from the request path. Telemetry first, as in main.ts.
import { startTelemetry } from '@feedmesh/telemetry';
startTelemetry({ serviceName: 'ingest-worker' });
// eslint-disable-next-line @typescript-eslint/no-require-imports
void (require('./worker-process.js') as typeof import('./worker-process.js')).startWorkerProcess();
