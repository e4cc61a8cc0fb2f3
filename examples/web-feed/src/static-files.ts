// The built page (dist/public, from vite), read into memory once: a handful of small files.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

export interface StaticFile {
  contentType: string;
  body: Buffer;
  /** Hashed file names (vite's assets/) never change: cache them for a year. */
  immutable: boolean;
}

const types: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.map': 'application/json; charset=utf-8',
  '.ico': 'image/x-icon',
};

/** URL path ("/assets/index-abc.js") → file; empty when the directory is missing (page not built). */
export function loadStaticFiles(dir: string): Map<string, StaticFile> {
  const files = new Map<string, StaticFile>();
  if (!existsSync(dir)) return files;
  const walk = (current: string) => {
    for (const name of readdirSync(current)) {
      const full = path.join(current, name);
      if (statSync(full).isDirectory()) {
        walk(full);
        continue;
      }
      const urlPath = '/' + path.relative(dir, full).split(path.sep).join('/');
      files.set(urlPath, {
        contentType: types[path.extname(name)] ?? 'application/octet-stream',
        body: readFileSync(full),
        immutable: urlPath.startsWith('/assets/'),
      });
    }
  };
  walk(dir);
  return files;
}
