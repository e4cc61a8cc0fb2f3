// `node dist/main.js`: the web-feed BFF. Prints its URL; forked by a launcher or a test, it
// reports `{ type: 'listening', app: 'web-feed', port }` like the mesh apps. SIGTERM / SIGINT:
// stop accepting, finish what is in flight, flush engagement, exit.
import { ConfigError, loadConfig } from './config.js';
import { createWebFeedServer } from './server.js';

async function main(): Promise<void> {
  const config = loadConfig();
  const level = process.env.LOG_LEVEL || 'info';
  const server = createWebFeedServer(config, { logger: { level } });
  const log = server.app.log;
  if (config.cookieSecretGenerated) log.warn('COOKIE_SECRET is not set: using a random one, so logins end when this process does');
  if (!config.token) log.info('FEEDMESH_TOKEN is not set: calls to the mesh carry no authorization header');

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'web-feed stopping');
    const force = setTimeout(() => process.exit(1), 10_000);
    force.unref();
    server.close().then(
      () => process.exit(0),
      (error: unknown) => {
        log.error({ err: error }, 'web-feed did not stop cleanly');
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));

  await server.app.listen({ port: config.port, host: config.host });
  const address = server.app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const shownHost = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host;
  log.info({ port, aggregator: config.aggregatorUrl, ingest: config.ingestUrl }, 'web-feed listening');
  console.log(`[web-feed] open http://${shownHost}:${port}/`);
  process.send?.({ type: 'listening', app: 'web-feed', port });
}

main().catch((error: Error) => {
  console.error(`web-feed failed to start: ${error instanceof ConfigError ? error.message : (error.stack ?? error.message)}`);
  process.exit(1);
});
