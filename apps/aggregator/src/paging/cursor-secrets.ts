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
 * CURSOR_SECRETS, comma-separated: the first signs, every one verifies. None: refused in
 * production, elsewhere a random key of this process (why: README.md, "Paging and cursors").
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
