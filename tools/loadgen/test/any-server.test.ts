// The load generator against gRPC servers that are not feedmesh: a grpc-js Greeter (with
// @grpc/reflection) and a Connect Greeter (no reflection), made from fixtures/echo's greeter.proto,
// with the method and message types taken from server reflection, from the .proto file, or from a
// descriptor set built by buf — and the errors a user sees when one of them does not fit. Last,
// reflection through one of feedmesh's own apps (ranking, spawned from apps/ranking/dist).
// Build first: `npx nx build @feedmesh/loadgen @feedmesh/ranking`.
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MESH_PEER_SCOPE, MESH_TOKEN_AUDIENCE, MESH_TOKEN_ISSUER, mintServiceToken } from '@feedmesh/identity';
import { spawnApp, type SpawnedApp } from '@feedmesh/service-kit';
import { dropDatabase, ensureDatabase, migrate } from '@feedmesh/storage';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LoadOptions } from '../src/load-options.js';
import type { Report } from '../src/report.js';
import { runLoad } from '../src/run-load.js';
import {
  ECHO_IMPORT_PATH,
  GREETER_PROTO,
  GREETING_BODY,
  GREETING_VARS,
  startConnectGreeter,
  startGrpcJsGreeter,
  type ConnectGreeter,
  type RunningServer,
} from './fixtures/greeter-servers.js';

const CLI = join(__dirname, '..', 'dist', 'main.js');
const RANKING = join(__dirname, '..', '..', '..', 'apps', 'ranking', 'dist', 'main.js');
const workDir = mkdtempSync(join(tmpdir(), 'feedmesh-loadgen-any-server-'));
const protoset = join(workDir, 'greeter.binpb');

let grpcJs: RunningServer;
let grpcJsWithoutReflection: RunningServer;
let grpcJsV1alphaOnly: RunningServer;
let connect: ConnectGreeter;

beforeAll(async () => {
  // The descriptor set as a user makes it: `buf build -o x.binpb`.
  execFileSync(require.resolve('@bufbuild/buf/bin/buf'), ['build', ECHO_IMPORT_PATH, '-o', protoset], { timeout: 30_000 });
  [grpcJs, grpcJsWithoutReflection, grpcJsV1alphaOnly, connect] = await Promise.all([
    startGrpcJsGreeter({ reflection: 'v1+v1alpha' }),
    startGrpcJsGreeter({ reflection: 'none' }),
    startGrpcJsGreeter({ reflection: 'v1alpha' }),
    startConnectGreeter(new Uint8Array(readFileSync(protoset))),
  ]);
}, 30_000);

afterAll(async () => {
  await Promise.all([grpcJs?.close(), grpcJsWithoutReflection?.close(), grpcJsV1alphaOnly?.close(), connect?.close()]);
  rmSync(workDir, { recursive: true, force: true });
});

type Source = Pick<LoadOptions, 'reflect' | 'protoFiles' | 'importPaths' | 'protoset'>;
const SOURCES: Record<string, () => Source> = {
  '--reflect': () => ({ reflect: true }),
  '--proto': () => ({ protoFiles: [GREETER_PROTO], importPaths: [ECHO_IMPORT_PATH] }),
  '--protoset': () => ({ protoset }),
};

function greet(target: string, source: Source, extra: Partial<LoadOptions> = {}): Promise<Report> {
  return runLoad({
    target,
    method: 'greet.v1.Greeter/SayHello',
    body: GREETING_BODY,
    variables: GREETING_VARS,
    concurrency: 4,
    requests: 200,
    timeoutMs: 3000,
    ...source,
    ...extra,
  });
}

function expectAllOk(report: Report, server: RunningServer, callsBefore: number): void {
  expect(report.method).toBe('greet.v1.Greeter/SayHello');
  expect(report.errorsByCode).toEqual({});
  expect(report.requests.errors).toBe(0);
  expect(report.requests.ok).toBe(200);
  expect(server.calls() - callsBefore).toBe(200);
}

describe('a grpc-js server that is not feedmesh', () => {
  for (const [flag, source] of Object.entries(SOURCES)) {
    it(`drives greet.v1.Greeter/SayHello with the types from ${flag}`, async () => {
      const before = grpcJs.calls();
      expectAllOk(await greet(grpcJs.address, source()), grpcJs, before);
    }, 20_000);
  }

  it('drives it through @grpc/grpc-js too, resolving the short name "Greeter" by reflection', async () => {
    const before = grpcJs.calls();
    expectAllOk(await greet(grpcJs.address, { reflect: true }, { method: 'Greeter/SayHello', protocol: 'grpc-js' }), grpcJs, before);
  }, 20_000);

  it('falls back to grpc.reflection.v1alpha on a server without v1', async () => {
    const before = grpcJsV1alphaOnly.calls();
    expectAllOk(await greet(grpcJsV1alphaOnly.address, { reflect: true }), grpcJsV1alphaOnly, before);
  }, 20_000);

  it('hands the reflected types to every worker thread (--workers 2)', async () => {
    const before = grpcJs.calls();
    const report = await greet(grpcJs.address, { reflect: true }, { workers: 2 });
    expect(report.workers).toBe(2);
    expectAllOk(report, grpcJs, before);
  }, 20_000);

  it('names the wrong method, service or field, whatever the source', async () => {
    for (const source of Object.values(SOURCES)) {
      await expect(greet(grpcJs.address, source(), { method: 'greet.v1.Greeter/SayGoodbye' })).rejects.toThrow(
        'greet.v1.Greeter has no method "SayGoodbye" (has: SayHello, Chat)',
      );
      await expect(greet(grpcJs.address, source(), { method: 'greet.v1.Greeter/Chat' })).rejects.toThrow('greet.v1.Greeter/Chat is bidi_streaming; only unary methods are supported');
      await expect(greet(grpcJs.address, source(), { body: '{"nmae":"ann"}', variables: [] })).rejects.toThrow(
        /--body does not match greet\.v1\.HelloRequest: .*key "nmae" is unknown/,
      );
    }
    await expect(greet(grpcJs.address, { reflect: true }, { method: 'greet.v1.Farewell/SayBye' })).rejects.toThrow(
      'reflection at 127.0.0.1:' + grpcJs.address.split(':')[1] + ' does not know service "greet.v1.Farewell" (it offers: greet.v1.Greeter',
    );
    await expect(greet(grpcJs.address, SOURCES['--protoset'](), { method: 'greet.v1.Farewell/SayBye' })).rejects.toThrow(
      `unknown service "greet.v1.Farewell" (not in --protoset ${protoset}; it has: greet.v1.Greeter)`,
    );
  }, 30_000);

  it('says so when the server does not offer reflection', async () => {
    await expect(greet(grpcJsWithoutReflection.address, { reflect: true })).rejects.toThrow(
      `server does not offer reflection at ${grpcJsWithoutReflection.address} (grpc.reflection.v1 and v1alpha are Unimplemented); pass --proto or --protoset`,
    );
  }, 20_000);
});

describe('a Connect server that is not feedmesh', () => {
  for (const flag of ['--proto', '--protoset'] as const) {
    it(`drives it over the Connect protocol with the types from ${flag}`, async () => {
      const before = connect.http1.calls();
      expectAllOk(await greet(`http://${connect.http1.address}`, SOURCES[flag](), { protocol: 'connect' }), connect.http1, before);
    }, 20_000);
  }

  it('drives it over gRPC (h2c) with the types from --protoset', async () => {
    const before = connect.h2c.calls();
    expectAllOk(await greet(connect.h2c.address, SOURCES['--protoset'](), { protocol: 'grpc' }), connect.h2c, before);
  }, 20_000);

  it('explains that reflection needs HTTP/2 when the target speaks HTTP/1.1 only', async () => {
    await expect(greet(`http://${connect.http1.address}`, { reflect: true }, { protocol: 'connect' })).rejects.toThrow(
      new RegExp(`^reflection at ${connect.http1.address} failed: UNAVAILABLE: .*\\(reflection is a gRPC stream over HTTP/2; for a server that takes none at this address, such as a Connect server on HTTP/1\\.1, pass --proto or --protoset\\)$`),
    );
  }, 20_000);

  it('says it offers no reflection (connect-node serves none)', async () => {
    await expect(greet(connect.h2c.address, { reflect: true })).rejects.toThrow(
      `server does not offer reflection at ${connect.h2c.address} (grpc.reflection.v1 and v1alpha are Unimplemented); pass --proto or --protoset`,
    );
  }, 20_000);
});

function runCli(args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { timeout: 20_000 }, (error, stdout, stderr) => {
      resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : -1, stdout, stderr });
    });
  });
}

describe('the CLI flags', () => {
  it('--reflect, --proto with --import-path and --protoset reach the run; a wrong source is exit 1 with the reason', async () => {
    const load = ['--target', grpcJs.address, '--method', 'greet.v1.Greeter/SayHello', '--body', GREETING_BODY, '--var', GREETING_VARS[0], '-n', '50', '-c', '2', '--json'];
    for (const source of [['--reflect'], ['--proto', GREETER_PROTO, '--import-path', ECHO_IMPORT_PATH], ['--protoset', protoset]]) {
      const result = await runCli([...load, ...source]);
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      const report = JSON.parse(result.stdout) as Report;
      expect(report.requests).toMatchObject({ ok: 50, errors: 0 });
    }
    const missing = await runCli([...load, '--proto', join(ECHO_IMPORT_PATH, 'greet', 'v1', 'nope.proto')]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('--proto');
    expect(missing.stderr).toContain('nope.proto: not found');
    const twoSources = await runCli([...load, '--reflect', '--protoset', protoset]);
    expect(twoSources.code).toBe(1);
    expect(twoSources.stderr).toContain('use one of --reflect, --protoset, not several');
  }, 60_000);
});

describe("feedmesh's own apps", () => {
  const databaseUrl = `postgres://postgres@127.0.0.1:5432/feedmesh_test_loadgen_reflect_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
  const meshSecret = 'mesh-secret-for-the-loadgen-reflection-test-0123';
  let ranking: SpawnedApp | undefined;

  beforeAll(async () => {
    await ensureDatabase(databaseUrl);
    await migrate(databaseUrl);
    // Reflection for services only, as a locked-down deployment runs it: the load's --metadata must reach the reflection stream.
    ranking = await spawnApp(
      RANKING,
      { DATABASE_URL: databaseUrl, MIGRATE_ON_START: 'false', LOG_LEVEL: 'warn', RANKING_MODEL_WATCH: 'false', MESH_AUTH: 'token', MESH_TOKEN_SECRET: meshSecret, REFLECTION_ACCESS: 'service' },
      { name: 'ranking' },
    );
  }, 30_000);

  afterAll(async () => {
    await ranking?.stop();
    await dropDatabase(databaseUrl);
  }, 30_000);

  it("are driven from their own reflection, over gRPC and Connect, with the load's credentials", async () => {
    const token = await mintServiceToken(meshSecret, 'loadgen', [MESH_PEER_SCOPE], { issuer: MESH_TOKEN_ISSUER, audience: MESH_TOKEN_AUDIENCE });
    const metadata = [['authorization', `Bearer ${token}`]] as const;
    const body = JSON.stringify({ userId: 'u1', limit: 1, candidates: [{ item: { id: '00000000-0000-4000-8000-000000000001', kind: 'ITEM_KIND_ARTICLE', authorId: 'a1', createdAtMs: String(Date.now() - 60_000) }, recallScore: 0.5, sources: ['following'] }] });
    for (const [protocol, target] of [['grpc', ranking!.address], ['connect', `http://${ranking!.address}`]] as const) {
      const report = await runLoad({ target, method: 'RankingService/Rank', reflect: true, metadata, protocol, body, concurrency: 2, requests: 50 });
      expect(report.method).toBe('feedmesh.ranking.v1.RankingService/Rank');
      expect(report.errorsByCode).toEqual({});
      expect(report.requests.ok).toBe(50);
    }
    await expect(runLoad({ target: ranking!.address, method: 'RankingService/Rank', reflect: true, body, requests: 1 })).rejects.toThrow(
      new RegExp(`^reflection at ${ranking!.address} failed: UNAUTHENTICATED: `),
    );
  }, 30_000);
});
