// The browser entry's module graph, as built (dist/browser.js and every module it requires,
// through @feedmesh/* packages), holds no Node-only import: no node:* or Node built-in module,
// no connect-node, grpc-js or OpenTelemetry SDK. Third-party packages outside the allow list
// fail the test, so a new dependency of the browser entry is a conscious choice.
import { builtinModules, createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const dist = path.join(__dirname, '..', 'dist');
/** Packages known to be browser-safe (each ships a fetch / globalThis-only build). */
const browserSafe = new Set(['@connectrpc/connect', '@connectrpc/connect-web', '@bufbuild/protobuf', '@opentelemetry/api', '@opentelemetry/semantic-conventions']);
const nodeOnly = new Set([...builtinModules, ...builtinModules.map((m) => `node:${m}`)]);

const packageOf = (specifier: string) => specifier.split('/').slice(0, specifier.startsWith('@') ? 2 : 1).join('/');

interface Graph {
  files: string[];
  packages: Set<string>;
  offenders: string[];
}

/** Every file reachable from `entry` by require() (the build is CommonJS), following @feedmesh/* packages. */
function moduleGraph(entry: string): Graph {
  const graph: Graph = { files: [], packages: new Set(), offenders: [] };
  const visit = (file: string) => {
    if (graph.files.includes(file)) return;
    graph.files.push(file);
    const source = readFileSync(file, 'utf8');
    const resolveFrom = createRequire(file);
    for (const [, specifier] of source.matchAll(/require\(["']([^"']+)["']\)/g)) {
      if (specifier!.startsWith('.')) {
        visit(resolveFrom.resolve(specifier!));
        continue;
      }
      if (nodeOnly.has(specifier!) || specifier!.startsWith('node:')) {
        graph.offenders.push(`${path.relative(dist, file)} requires ${specifier}`);
        continue;
      }
      const pkg = packageOf(specifier!);
      graph.packages.add(pkg);
      if (pkg.startsWith('@feedmesh/')) visit(resolveFrom.resolve(specifier!));
      else if (!browserSafe.has(pkg)) graph.offenders.push(`${path.relative(dist, file)} requires ${specifier} (not on the browser-safe list)`);
    }
  };
  visit(entry);
  return graph;
}

describe('browser entry', () => {
  it('dist/browser.js reaches no Node-only module', () => {
    const graph = moduleGraph(path.join(dist, 'browser.js'));
    expect(graph.offenders).toEqual([]);
    expect(graph.packages).toContain('@connectrpc/connect-web');
    expect(graph.packages).not.toContain('@connectrpc/connect-node');
    expect(graph.files.some((f) => f.endsWith(path.join('dist', 'cards.js')))).toBe(true);
  });

  it('the check itself catches the Node entry (connect-node)', () => {
    const graph = moduleGraph(path.join(dist, 'index.js'));
    expect(graph.offenders.join('\n')).toMatch(/@connectrpc\/connect-node/);
  });

  it('package.json sends browsers to dist/browser.js and Node to dist/index.js', () => {
    const pkg = JSON.parse(readFileSync(path.join(__dirname, '..', 'package.json'), 'utf8'));
    expect(pkg.exports['.'].browser.default).toBe('./dist/browser.js');
    expect(pkg.exports['.'].node.default).toBe('./dist/index.js');
    expect(Object.keys(pkg.exports['.'])).toEqual(['browser', 'node', 'default']);
    expect(pkg.private).toBeUndefined();
  });
});
