// @feedmesh/client as a BFF gets it from a registry: `npm pack` of the client and of the two
// workspace packages it depends on (contracts, otel-connect), unpacked into a project of their
// own outside the repository (third-party dependencies linked from this checkout's
// node_modules), then required, imported, resolved for the browser and type-checked as a
// consumer would. It fails when a package is private, misses a file, leaks sources or tests, or
// names a workspace package at another version.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const repo = path.join(__dirname, '..', '..', '..');
const packages = { '@feedmesh/contracts': 'libs/contracts', '@feedmesh/otel-connect': 'libs/otel-connect', '@feedmesh/client': 'libs/client' } as const;
type PackageName = keyof typeof packages;

interface Packed {
  manifest: { name: string; version: string; private?: boolean; dependencies?: Record<string, string> };
  files: string[];
}

let work: string;
let app: string;
const packed = {} as Record<PackageName, Packed>;

beforeAll(() => {
  work = mkdtempSync(path.join(tmpdir(), 'feedmesh-publish-'));
  app = path.join(work, 'app');
  mkdirSync(path.join(app, 'node_modules', '@feedmesh'), { recursive: true });
  const thirdParty = new Set<string>();
  for (const [name, dir] of Object.entries(packages) as [PackageName, string][]) {
    const [info] = JSON.parse(execFileSync('npm', ['pack', '--json', '--pack-destination', work], { cwd: path.join(repo, dir), encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })) as [{ filename: string; files: { path: string }[] }];
    const target = path.join(app, 'node_modules', name);
    mkdirSync(target, { recursive: true });
    execFileSync('tar', ['-xzf', path.join(work, info.filename), '-C', target, '--strip-components=1']);
    const manifest = JSON.parse(readFileSync(path.join(target, 'package.json'), 'utf8')) as Packed['manifest'];
    packed[name] = { manifest, files: info.files.map((f) => f.path) };
    for (const dep of Object.keys(manifest.dependencies ?? {})) if (!(dep in packages)) thirdParty.add(dep);
  }
  for (const dep of thirdParty) {
    const link = path.join(app, 'node_modules', dep);
    mkdirSync(path.dirname(link), { recursive: true });
    symlinkSync(path.join(repo, 'node_modules', dep), link, 'dir');
  }
  writeFileSync(path.join(app, 'package.json'), JSON.stringify({ name: 'a-bff', version: '1.0.0', private: true }));
}, 60_000);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

const node = (args: string[]) => execFileSync(process.execPath, args, { cwd: app, encoding: 'utf8' }).trim();

describe('the packages a BFF installs', () => {
  it('are public, at one version, and name each other at exactly that version', () => {
    for (const name of Object.keys(packages) as PackageName[]) {
      const { manifest } = packed[name];
      expect(manifest.private, `${name} is private`).toBeUndefined();
      for (const [dep, range] of Object.entries(manifest.dependencies ?? {})) {
        if (dep in packages) expect(range, `${name} → ${dep}`).toBe(packed[dep as PackageName].manifest.version);
      }
    }
  });

  it('hold their built code, types and README, and no sources, tests, maps or build info', () => {
    for (const name of Object.keys(packages) as PackageName[]) {
      const { files } = packed[name];
      expect(files, name).toEqual(expect.arrayContaining(['README.md', 'package.json', 'dist/index.js', 'dist/index.d.ts']));
      expect(files.filter((f) => f.startsWith('src/') || /\.test\.|\.map$|tsbuildinfo/.test(f)), name).toEqual([]);
    }
    expect(packed['@feedmesh/client'].files).toEqual(expect.arrayContaining(['dist/browser.js', 'dist/browser.d.ts']));
  });

  it('work from outside the repository: require, import, the browser entry by export condition, the impressions subpath', () => {
    expect(node(['-e', "const c = require('@feedmesh/client'); console.log(typeof c.createFeedmeshClient, typeof c.toCard)"])).toBe('function function');
    expect(node(['--input-type=module', '-e', "import { createFeedmeshClient } from '@feedmesh/client'; console.log(typeof createFeedmeshClient)"])).toBe('function');
    expect(node(['-e', "console.log(require.resolve('@feedmesh/client').split('node_modules').pop())"])).toBe(path.join('/@feedmesh', 'client', 'dist', 'index.js'));
    expect(node(['--conditions=browser', '-e', "console.log(require.resolve('@feedmesh/client').split('node_modules').pop())"])).toBe(path.join('/@feedmesh', 'client', 'dist', 'browser.js'));
    expect(node(['-e', "console.log(require('@feedmesh/contracts').FeedService.typeName)"])).toBe('feedmesh.feed.v1.FeedService');
    // The impression tracker alone, for pages that talk to their own BFF.
    expect(node(['-e', "console.log(typeof require('@feedmesh/client/impressions').createImpressionTracker)"])).toBe('function');
  });

  it("type-check in a consumer's TypeScript project (the declarations are complete)", () => {
    writeFileSync(
      path.join(app, 'bff.ts'),
      [
        "import { createFeedmeshClient, type FeedPage } from '@feedmesh/client';",
        "const client = createFeedmeshClient({ baseUrl: 'http://127.0.0.1:8080', protocol: 'grpc', auth: () => 'token' });",
        'export async function first(): Promise<FeedPage | undefined> {',
        "  for await (const page of client.feed('u1').pages({ pageSize: 20 })) return page;",
        '  return undefined;',
        '}',
      ].join('\n'),
    );
    writeFileSync(path.join(app, 'tsconfig.json'), JSON.stringify({ compilerOptions: { module: 'node20', moduleResolution: 'nodenext', target: 'ES2023', strict: true, noEmit: true, skipLibCheck: true, types: [] }, files: ['bff.ts'] }));
    const tsc = path.join(repo, 'node_modules', 'typescript', 'bin', 'tsc');
    expect(existsSync(tsc)).toBe(true);
    expect(() => execFileSync(process.execPath, [tsc, '-p', app], { cwd: app, encoding: 'utf8' })).not.toThrow();
  });
});
