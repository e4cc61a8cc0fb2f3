// `--auth`: the mesh runs as production does, with end-user/service tokens at the edge and peer
// tokens inside (AUTH_MODE=jwt, MESH_AUTH=token), and every benchmark client sends a service
// token, so a page's cost includes verifying them. Fresh secrets per run.
import { randomBytes } from 'node:crypto';
import { mintServiceToken } from '@feedmesh/identity';

export interface BenchAuth {
  /** Settings every app of the mesh gets. */
  env: Record<string, string>;
  /** The header every benchmark call sends. */
  headers: Record<string, string>;
}

export const NO_AUTH: BenchAuth = { env: { AUTH_MODE: 'off', MESH_AUTH: 'off' }, headers: {} };

export async function benchAuth(enabled: boolean): Promise<BenchAuth> {
  if (!enabled) return NO_AUTH;
  const authSecret = randomBytes(32).toString('base64url');
  const token = await mintServiceToken(authSecret, 'bench', undefined, { ttlSeconds: 86_400 });
  return {
    env: { AUTH_MODE: 'jwt', AUTH_TOKEN_SECRET: authSecret, MESH_AUTH: 'token', MESH_TOKEN_SECRET: randomBytes(32).toString('base64url') },
    headers: { authorization: `Bearer ${token}` },
  };
}
