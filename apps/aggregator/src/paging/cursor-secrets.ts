import { minSecretBytes } from '@feedmesh/feed-core';
import type { Logger } from '@feedmesh/telemetry';

/** Signs cursors when CURSOR_SECRETS is unset: fine on a laptop, forgeable anywhere else. */
const developmentSecret = 'feedmesh-development-cursor-secret';

/**
 * CURSOR_SECRETS is a comma-separated list: the first secret signs new cursors, every one
 * verifies, so a key rotates by prepending the new one and dropping the old after the session TTL.
 */
export function parseCursorSecrets(raw: string, logger: Logger): string[] {
  const secrets = raw
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  if (secrets.length === 0) {
    logger.warn('CURSOR_SECRETS is not set: cursors are signed with a development secret anyone can read');
    return [developmentSecret];
  }
  const short = secrets.findIndex((s) => Buffer.byteLength(s, 'utf8') < minSecretBytes);
  if (short >= 0) throw new Error(`CURSOR_SECRETS: secret #${short + 1} is shorter than ${minSecretBytes} bytes`);
  return secrets;
}
