import { randomBytes } from 'node:crypto';
import { minSecretBytes } from '@feedmesh/feed-core';
import { ConfigError } from '@feedmesh/service-kit';
import type { Logger } from '@feedmesh/telemetry';

export interface CursorSecretsSettings {
  /** CURSOR_SECRETS as given. */
  raw: string;
  /** NODE_ENV=production: no secret of our own making, the operator must give one. */
  production: boolean;
  logger: Logger;
}

/**
 * CURSOR_SECRETS is a comma-separated list: the first secret signs new cursors, every one
 * verifies, so a key rotates by prepending the new one and dropping the old after the session TTL.
 * There is no built-in secret (anyone could read it and forge cursors): in production the app
 * does not start without one; elsewhere this process signs with a random key of its own, so
 * cursors stop working when it restarts and are not accepted by other replicas.
 */
export function parseCursorSecrets({ raw, production, logger }: CursorSecretsSettings): string[] {
  const secrets = raw
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  if (secrets.length === 0) {
    if (production) {
      throw new ConfigError(
        `invalid configuration: CURSOR_SECRETS (required when NODE_ENV=production: comma-separated secrets of at least ${minSecretBytes} bytes, e.g. from \`openssl rand -base64 32\`)`,
      );
    }
    logger.warn('CURSOR_SECRETS is not set: cursors are signed with a random key of this process; they stop working when it restarts');
    return [randomBytes(32).toString('base64url')];
  }
  const short = secrets.findIndex((s) => Buffer.byteLength(s, 'utf8') < minSecretBytes);
  if (short >= 0) throw new ConfigError(`invalid configuration: CURSOR_SECRETS (secret #${short + 1} is shorter than ${minSecretBytes} bytes)`);
  return secrets;
}
