// Telemetry first: the OpenTelemetry instrumentations patch grpc-js, pg and ioredis as they load.
import { startTelemetry } from '@feedmesh/telemetry';
startTelemetry({ serviceName: 'aggregator' });
// eslint-disable-next-line @typescript-eslint/no-require-imports
(require('./app.js') as typeof import('./app.js')).start();
