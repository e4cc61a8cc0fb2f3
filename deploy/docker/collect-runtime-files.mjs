#!/usr/bin/env node
// Copies what the given workspaces need at run time into an output folder, keeping repo paths:
// each workspace and every workspace it depends on (transitively, `dependencies` only) contribute
// their package.json plus the entries their package.json `files` lists (dist/, migrations/ ...);
// a workspace without `files` ships dist/, where every workspace here builds to.
// The Docker build runs it after `nx build`, so the image gets compiled code, never sources.
//
//   node deploy/docker/collect-runtime-files.mjs <out-dir> <workspace-dir>...
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

const root = process.cwd();
const [outDir, ...requested] = process.argv.slice(2);
if (!outDir || requested.length === 0) {
  console.error('usage: collect-runtime-files.mjs <out-dir> <workspace-dir>...');
  process.exit(2);
}

const readManifest = (dir) => JSON.parse(readFileSync(path.join(root, dir, 'package.json'), 'utf8'));

/** Workspace folders named by the root package.json (`libs/*` style patterns or plain folders). */
function workspaceDirs() {
  return readManifest('.').workspaces.flatMap((pattern) => {
    if (!pattern.endsWith('/*')) return [pattern];
    const parent = pattern.slice(0, -2);
    if (/[*?[{]/.test(parent)) throw new Error(`unsupported workspace pattern "${pattern}"`);
    return readdirSync(path.join(root, parent), { withFileTypes: true })
      .filter((entry) => entry.isDirectory() && existsSync(path.join(root, parent, entry.name, 'package.json')))
      .map((entry) => `${parent}/${entry.name}`);
  });
}

const dirByName = new Map(workspaceDirs().map((dir) => [readManifest(dir).name, dir]));

/** The requested workspaces plus every workspace they depend on at run time. */
function runtimeClosure(start) {
  const seen = new Set();
  const pending = start.map((dir) => path.normalize(dir).replace(/\/$/, ''));
  while (pending.length > 0) {
    const dir = pending.pop();
    if (seen.has(dir)) continue;
    if (!existsSync(path.join(root, dir, 'package.json'))) throw new Error(`${dir} is not a workspace (no package.json)`);
    seen.add(dir);
    for (const name of Object.keys(readManifest(dir).dependencies ?? {})) {
      const depDir = dirByName.get(name);
      if (depDir) pending.push(depDir);
    }
  }
  return [...seen].sort();
}

// Incremental-build bookkeeping that tsc leaves in dist/ has no use at run time.
const shipped = (source) => !source.endsWith('.tsbuildinfo');

for (const dir of runtimeClosure(requested)) {
  const manifest = readManifest(dir);
  const entries = ['package.json', ...(manifest.files ?? ['dist'])];
  for (const entry of entries) {
    if (/[*?[{!]/.test(entry)) throw new Error(`${dir}/package.json: glob "${entry}" in "files" is not supported here`);
    const source = path.join(root, dir, entry);
    if (!existsSync(source)) {
      throw new Error(`${dir}/${entry} is missing: "files" lists it, so it must exist (was the project built?)`);
    }
    const target = path.join(outDir, dir, entry);
    mkdirSync(path.dirname(target), { recursive: true });
    cpSync(source, target, { recursive: true, filter: shipped });
  }
  const listed = entries.map((entry) => (statSync(path.join(root, dir, entry)).isDirectory() ? `${entry}/` : entry));
  console.log(`collected ${dir}: ${listed.join(' ')}`);
}
