import { num, str } from 'envalid';
import { describe, expect, it } from 'vitest';
import { ConfigError, kitEnvSpec, loadConfig } from './config.js';

// Cast as the apps do: loadConfig's bound is envalid's per-variable `Spec`, which a spec object
// fails by TypeScript's weak-type check; the values are validated at runtime either way.
const appSpec = { DATABASE_URL: str({ default: 'postgres://localhost/app' }), BATCH_SIZE: num({ default: 100 }) };

describe('loadConfig', () => {
  it('applies the base and app defaults, with the default port', () => {
    const env = loadConfig(appSpec, 8082, {});
    expect(env).toMatchObject({
      PORT: 8082,
      HOST: '0.0.0.0',
      LOG_LEVEL: 'info',
      SHUTDOWN_DELAY_MS: 5_000,
      SHUTDOWN_GRACE_MS: 10_000,
      MAX_CONCURRENT_CALLS: 256,
      MAX_QUEUED_CALLS: 256,
      MAX_MESSAGE_BYTES: 4 * 1024 * 1024,
      MAX_DEADLINE_MS: 30_000,
      REJECT_UNKNOWN_FIELDS: true,
      DATABASE_URL: 'postgres://localhost/app',
      BATCH_SIZE: 100,
    });
  });

  it('reads and converts values from the environment', () => {
    const env = loadConfig(appSpec, 8082, { PORT: '0', BATCH_SIZE: '7', REJECT_UNKNOWN_FIELDS: 'false', LOG_LEVEL: 'debug' });
    expect(env).toMatchObject({ PORT: 0, BATCH_SIZE: 7, REJECT_UNKNOWN_FIELDS: false, LOG_LEVEL: 'debug' });
  });

  it.each([
    ['PORT', 'abc', 'PORT (not a port number: "abc")'],
    ['PORT', '70000', 'PORT (not a port number: "70000")'],
    ['PORT', '-1', 'PORT (not a port number: "-1")'],
    ['SHUTDOWN_GRACE_MS', 'x', 'SHUTDOWN_GRACE_MS (Invalid number input: "x")'],
    ['BATCH_SIZE', 'many', 'BATCH_SIZE (Invalid number input: "many")'],
    ['LOG_LEVEL', 'loud', 'LOG_LEVEL ('],
  ])('rejects %s=%s with a ConfigError naming it', (name, value, expected) => {
    expect(() => loadConfig(appSpec, 8082, { [name]: value })).toThrow(ConfigError);
    expect(() => loadConfig(appSpec, 8082, { [name]: value })).toThrow(`invalid configuration: ${expected}`);
  });

  it('names every bad variable in one message', () => {
    expect(() => loadConfig(appSpec, 8082, { PORT: 'abc', BATCH_SIZE: 'many' })).toThrow(/PORT \(.*\); BATCH_SIZE \(|BATCH_SIZE \(.*\); PORT \(/);
  });

  it("reads exactly the kit's spec when the app adds none, every variable described", () => {
    expect(Object.keys(loadConfig({}, 8082, {})).sort()).toEqual(Object.keys(kitEnvSpec).sort());
    for (const [name, validator] of Object.entries(kitEnvSpec)) expect(validator.desc, name).toBeTruthy();
  });
});
