import { bool, cleanEnv, makeValidator, num, str, type CleanedEnv, type ValidatorSpec } from 'envalid';

/** An app's own environment variables: envalid validators by name. */
export type EnvSpec = Record<string, ValidatorSpec<unknown>>;

/** Settings every app has; each app adds its own spec. */
export const baseEnvSpec = {
  HOST: str({ default: '0.0.0.0', desc: 'Interface to listen on' }),
  LOG_LEVEL: str({ default: 'info', choices: ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] }),
  SHUTDOWN_GRACE_MS: num({ default: 10_000, desc: 'How long in-flight calls may run after SIGTERM' }),
  MAX_MESSAGE_BYTES: num({ default: 4 * 1024 * 1024, desc: 'Largest request message accepted' }),
  MAX_DEADLINE_MS: num({ default: 30_000, desc: 'Longest deadline a client may set (absent = this)' }),
  REJECT_UNKNOWN_FIELDS: bool({ default: true, desc: 'Reject requests carrying fields this contract does not know' }),
};

/** A TCP port; 0 asks the OS for a free one (tests run many apps side by side). */
const listenPort = makeValidator<number>((input) => {
  const value = Number(input);
  if (!/^\d+$/.test(String(input).trim()) || value > 65535) throw new Error(`not a port number: "${input}"`);
  return value;
});

export type BaseEnv = CleanedEnv<typeof baseEnvSpec> & { PORT: number };

export class ConfigError extends Error {}

/**
 * Reads and validates configuration from the environment at start. A bad value stops the app
 * with one message naming every offending variable, instead of failing later mid-request.
 */
export type AppEnv<S> = BaseEnv & CleanedEnv<S>;

export function loadConfig<S extends EnvSpec>(spec: S, defaultPort: number, env: NodeJS.ProcessEnv = process.env): AppEnv<S> {
  const full = { ...baseEnvSpec, PORT: listenPort({ default: defaultPort }), ...spec } as S & typeof baseEnvSpec & { PORT: ValidatorSpec<number> };
  return cleanEnv(env, full, {
    reporter: ({ errors }) => {
      const bad = Object.entries(errors);
      if (bad.length) {
        throw new ConfigError(`invalid configuration: ${bad.map(([k, e]) => `${k} (${(e as Error).message})`).join('; ')}`);
      }
    },
  }) as never;
}
