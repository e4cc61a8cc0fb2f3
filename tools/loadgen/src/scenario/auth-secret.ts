// The HS256 secret that signs the journeys' end-user and service tokens: --auth-secret, else
// AUTH_TOKEN_SECRET, else the development key `npm start` uses (.feedmesh/dev-keys.json of the
// checkout the tool runs in, found from the working directory upwards).
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

export interface SecretSource {
  readonly secret: string;
  /** Where it came from, for the report's settings (never the secret itself). */
  readonly from: string;
}

export function findAuthSecret(flag: string | undefined, env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): SecretSource | undefined {
  if (flag !== undefined && flag !== '') return { secret: flag, from: '--auth-secret' };
  const fromEnv = env.AUTH_TOKEN_SECRET;
  if (fromEnv !== undefined && fromEnv !== '') return { secret: fromEnv, from: 'AUTH_TOKEN_SECRET' };
  for (let dir = cwd; ; dir = dirname(dir)) {
    const file = join(dir, '.feedmesh', 'dev-keys.json');
    if (existsSync(file)) {
      const keys = JSON.parse(readFileSync(file, 'utf8')) as { authTokenSecret?: unknown };
      if (typeof keys.authTokenSecret === 'string') return { secret: keys.authTokenSecret, from: file };
    }
    if (dirname(dir) === dir) return undefined;
  }
}
