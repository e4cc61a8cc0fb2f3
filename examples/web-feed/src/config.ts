// The BFF's settings, read once from the environment.
import { randomBytes } from 'node:crypto';

export interface WebFeedConfig {
  /** 0: a free port (the one chosen is printed and reported to a parent process). */
  port: number;
  host: string;
  /** FeedService (the aggregator), e.g. "http://127.0.0.1:8080". */
  aggregatorUrl: string;
  /** IngestService, e.g. "http://127.0.0.1:8084". */
  ingestUrl: string;
  /** Signs the login cookie. */
  cookieSecret: string;
  /** True when COOKIE_SECRET was unset and a random one is used (logins end with the process). */
  cookieSecretGenerated: boolean;
  /** Demo users u1…uN offered on the login screen. */
  demoUsers: number;
  /** Service token sent as `authorization: Bearer …` to the aggregator and ingest; empty: none. */
  token: string;
  /** Items per page. */
  pageSize: number;
  /** The BFF's engagement reporter sends impressions at most this long after the first one (ms). */
  engagementMaxDelayMs: number;
  /** Deadline of each call to the mesh (ms). */
  timeoutMs: number;
}

export class ConfigError extends Error {}

function integer(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) throw new ConfigError(`${name} must be an integer in ${min}..${max}, got "${raw}"`);
  return value;
}

function url(env: NodeJS.ProcessEnv, name: string, fallback: string): string {
  const raw = env[name] || fallback;
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    throw new ConfigError(`${name} must be an http(s) URL such as ${fallback}, got "${raw}"`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new ConfigError(`${name} must be an http(s) URL such as ${fallback}, got "${raw}"`);
  return raw.replace(/\/+$/, '');
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): WebFeedConfig {
  const cookieSecret = env.COOKIE_SECRET ?? '';
  if (cookieSecret !== '' && cookieSecret.length < 32) throw new ConfigError('COOKIE_SECRET must be at least 32 characters');
  return {
    port: integer(env, 'PORT', 3000, 0, 65_535),
    host: env.HOST || '127.0.0.1',
    aggregatorUrl: url(env, 'AGGREGATOR_URL', 'http://127.0.0.1:8080'),
    ingestUrl: url(env, 'INGEST_URL', 'http://127.0.0.1:8084'),
    cookieSecret: cookieSecret || randomBytes(32).toString('base64url'),
    cookieSecretGenerated: cookieSecret === '',
    demoUsers: integer(env, 'DEMO_USERS', 20, 1, 100_000),
    token: env.FEEDMESH_TOKEN ?? '',
    pageSize: integer(env, 'PAGE_SIZE', 20, 1, 100),
    engagementMaxDelayMs: integer(env, 'ENGAGEMENT_MAX_DELAY_MS', 2_000, 0, 60_000),
    timeoutMs: integer(env, 'MESH_TIMEOUT_MS', 5_000, 100, 60_000),
  };
}
