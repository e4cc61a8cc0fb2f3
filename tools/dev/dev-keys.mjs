// Development keys for `npm start` and `npm run token`: the HS256 secrets that sign end-user and
// service tokens (AUTH_TOKEN_SECRET) and the mesh's peer tokens (MESH_TOKEN_SECRET), generated at
// first use into .feedmesh/dev-keys.json (git-ignored, readable by this user only), so a laptop
// runs with authentication on, as production does, without anybody choosing a secret.
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const devKeysFile = join(root, '.feedmesh', 'dev-keys.json');

/** The development keys, created on first use. */
export function devKeys() {
  if (existsSync(devKeysFile)) {
    const keys = JSON.parse(readFileSync(devKeysFile, 'utf8'));
    if (typeof keys.authTokenSecret === 'string' && typeof keys.meshTokenSecret === 'string') return { ...keys, created: false };
  }
  const keys = { authTokenSecret: randomBytes(32).toString('base64url'), meshTokenSecret: randomBytes(32).toString('base64url') };
  mkdirSync(dirname(devKeysFile), { recursive: true });
  writeFileSync(devKeysFile, `${JSON.stringify(keys, null, 2)}\n`, { mode: 0o600 });
  chmodSync(devKeysFile, 0o600);
  return { ...keys, created: true };
}

/** @feedmesh/identity's minting functions (built first when this checkout has not built it yet). */
export function identity() {
  const require = createRequire(join(root, 'package.json'));
  if (!existsSync(join(root, 'libs', 'identity', 'dist', 'index.js'))) {
    execFileSync(process.execPath, [require.resolve('nx/bin/nx.js'), 'run', '@feedmesh/identity:build', '--outputStyle=static'], { cwd: root, stdio: 'ignore' });
  }
  return require('@feedmesh/identity');
}
