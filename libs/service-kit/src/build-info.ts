import { readFileSync } from 'node:fs';
import path from 'node:path';

/** The response header (HTTP/1.1) and gRPC metadata key naming the version that answered. */
export const VERSION_HEADER = 'x-feedmesh-version';

/** The version of the package whose built files are in `distDir` (an app passes its `__dirname`). */
export function packageVersion(distDir: string): string {
  const manifest = JSON.parse(readFileSync(path.join(distDir, '..', 'package.json'), 'utf8')) as { version?: unknown };
  if (typeof manifest.version !== 'string' || manifest.version === '') throw new Error(`${path.join(distDir, '..', 'package.json')} has no version`);
  return manifest.version;
}

/**
 * What an app reports as its version: BUILD_VERSION when the build set one (an image tag),
 * otherwise the package version, with the commit as SemVer build metadata when GIT_SHA is set
 * ("0.1.0+3f2c9ab1d0e4"), so two canaries built from one package version still tell apart.
 */
export function appVersion(packageVersion: string, env: { BUILD_VERSION?: string; GIT_SHA?: string }): string {
  const explicit = env.BUILD_VERSION?.trim();
  if (explicit) return explicit;
  const sha = env.GIT_SHA?.trim();
  return sha ? `${packageVersion}+${sha.slice(0, 12)}` : packageVersion;
}
