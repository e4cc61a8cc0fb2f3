import { identityEnvSpec } from '@feedmesh/identity';
import { bool, cleanEnv, makeValidator, num, str, type CleanedEnv, type ValidatorSpec } from 'envalid';

/** Environment variables as envalid validators by name: the kit's, an app's, or both composed. */
export type EnvSpec = Record<string, ValidatorSpec<unknown>>;

/** A TCP port; 0 asks the OS for a free one (tests run many apps side by side). */
const listenPort = makeValidator<number>((input) => {
  const value = Number(input);
  if (!/^\d+$/.test(String(input).trim()) || value > 65535) throw new Error(`not a port number: "${input}"`);
  return value;
});

/**
 * Every setting the kit itself reads, the one place they are declared: `loadConfig` composes an
 * app's spec onto it (PORT's default is then the app's port), and docs are generated from it.
 */
export const kitEnvSpec = {
  PORT: listenPort({ desc: "Port to listen on, gRPC and HTTP/1.1 alike (0: any free port); default: the app's port" }),
  HOST: str({ default: '0.0.0.0', desc: 'Interface to listen on' }),
  LOG_LEVEL: str({ default: 'info', choices: ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], desc: 'pino log level' }),
  SHUTDOWN_DELAY_MS: num({ default: 5_000, desc: 'After SIGTERM: how long the port keeps serving while readiness says not-ready, so load balancers stop routing here first' }),
  SHUTDOWN_GRACE_MS: num({ default: 10_000, desc: 'After the delay: how long in-flight calls may run before they are cancelled' }),
  MAX_MESSAGE_BYTES: num({ default: 4 * 1024 * 1024, desc: 'Largest request message accepted' }),
  MAX_DEADLINE_MS: num({ default: 30_000, desc: 'Longest deadline a client may set (absent = this)' }),
  REJECT_UNKNOWN_FIELDS: bool({ default: true, desc: 'Reject requests carrying fields this contract does not know' }),
  MAX_CONCURRENT_CALLS: num({ default: 256, desc: 'RPCs served at once (both protocols; with ADAPTIVE_CONCURRENCY the most the limit grows to); 0 = no limit' }),
  ADAPTIVE_CONCURRENCY: bool({ default: true, desc: 'Find the concurrency limit from the latency calls see (below MAX_CONCURRENT_CALLS), so admitted calls meet their deadlines' }),
  MIN_CONCURRENT_CALLS: num({ default: 4, desc: "The adaptive limit's floor" }),
  MAX_QUEUED_CALLS: num({ default: 256, desc: 'RPCs waiting for a slot beyond MAX_CONCURRENT_CALLS; more are refused with RESOURCE_EXHAUSTED' }),
  MAX_QUEUE_WAIT_MS: num({ default: 50, desc: 'Longest wait for a slot before a queued RPC is refused with RESOURCE_EXHAUSTED' }),
  FIRST_BYTE_TIMEOUT_MS: num({ default: 10_000, desc: 'A new connection that sends nothing for this long is closed' }),
  HTTP_KEEPALIVE_TIMEOUT_MS: num({ default: 65_000, desc: 'An idle HTTP/1.1 keep-alive connection is closed after this long' }),
  GRPC_IDLE_TIMEOUT_MS: num({ default: 300_000, desc: 'An HTTP/2 connection with no call for this long is closed (GOAWAY)' }),
  GRPC_MAX_CONNECTION_AGE_MS: num({
    default: 30_000,
    desc: 'An HTTP/2 connection older than this (±10 % jitter) is sent GOAWAY, so clients reconnect and re-resolve: behind a Kubernetes Service their calls spread over the pods, and new pods get traffic; 0 = never',
  }),
  GRPC_MAX_CONNECTION_AGE_GRACE_MS: num({ default: 30_000, desc: 'After that GOAWAY: how long calls already running on the old connection may finish before it is closed' }),
  BUILD_VERSION: str({ default: '', desc: 'The version this app reports (feedmesh_build_info, the x-feedmesh-version header), e.g. the image tag; empty: the package version' }),
  GIT_SHA: str({ default: '', desc: 'The commit built, appended to the package version as "+<sha>" when BUILD_VERSION is empty' }),
  ...identityEnvSpec,
};

/** The kit's settings, validated. */
export type BaseEnv = CleanedEnv<typeof kitEnvSpec>;

export class ConfigError extends Error {}

/** The kit's settings and an app's, validated. */
export type AppEnv<S> = BaseEnv & CleanedEnv<S>;

/**
 * Reads and validates the kit's settings and the app's `spec` from `env` (the process's
 * environment by default), once, at start. A bad value stops the app with one message naming
 * every offending variable, instead of failing later mid-request.
 */
export function loadConfig<S extends EnvSpec>(spec: S, defaultPort: number, env: NodeJS.ProcessEnv = process.env): AppEnv<S> {
  const full = { ...kitEnvSpec, PORT: listenPort({ default: defaultPort, desc: kitEnvSpec.PORT.desc }), ...spec } as S & typeof kitEnvSpec;
  return cleanEnv(env, full, {
    reporter: ({ errors }) => {
      const bad = Object.entries(errors);
      if (bad.length) {
        throw new ConfigError(`invalid configuration: ${bad.map(([k, e]) => `${k} (${(e as Error).message})`).join('; ')}`);
      }
    },
  }) as never;
}
