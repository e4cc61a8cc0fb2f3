import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.js';

describe('loadConfig', () => {
  it('defaults: port 3000 on 127.0.0.1, the mesh on its npm start ports, a random cookie secret, 20 demo users, no token', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({ port: 3000, host: '127.0.0.1', aggregatorUrl: 'http://127.0.0.1:8080', ingestUrl: 'http://127.0.0.1:8084', demoUsers: 20, token: '', cookieSecretGenerated: true });
    expect(config.cookieSecret.length).toBeGreaterThanOrEqual(32);
    expect(loadConfig({}).cookieSecret).not.toBe(config.cookieSecret);
  });

  it('reads every setting from the environment', () => {
    const secret = 's'.repeat(40);
    const config = loadConfig({ PORT: '0', HOST: '0.0.0.0', AGGREGATOR_URL: 'http://agg:7000/', INGEST_URL: 'https://ing:7001', COOKIE_SECRET: secret, DEMO_USERS: '5', FEEDMESH_TOKEN: 'tok' });
    expect(config).toMatchObject({ port: 0, host: '0.0.0.0', aggregatorUrl: 'http://agg:7000', ingestUrl: 'https://ing:7001', cookieSecret: secret, cookieSecretGenerated: false, demoUsers: 5, token: 'tok' });
  });

  it.each([
    [{ PORT: '70000' }, /PORT/],
    [{ PORT: 'x' }, /PORT/],
    [{ DEMO_USERS: '0' }, /DEMO_USERS/],
    [{ AGGREGATOR_URL: '127.0.0.1:8080' }, /AGGREGATOR_URL/],
    [{ INGEST_URL: 'ftp://x' }, /INGEST_URL/],
    [{ COOKIE_SECRET: 'short' }, /COOKIE_SECRET/],
  ])('refuses %j', (env, message) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(message);
  });
});
