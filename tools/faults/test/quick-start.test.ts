// `npm start` on a machine with nothing installed: no DATABASE_URL / REDIS_URL, nothing on the
// Postgres and Redis ports the launcher is pointed at. It must start an embedded PostgreSQL and a
// redis-server of its own, seed, serve a first GetFeed page with the token it prints, and leave
// nothing running once stopped (by SIGTERM, or by a failed start); with no redis-server on the PATH
// it must say so in one line, exit non-zero and start nothing.
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alivePids, childPidsOf, freePort, freePortRun, startLauncher, tcpAccepts, type LauncherProcess } from '../src/index.js';

const UP_TIMEOUT_MS = 90_000;
const STOP_TIMEOUT_MS = 20_000;

const stateDir = mkdtempSync(path.join(os.tmpdir(), 'feedmesh-quick-start-'));
// Started by root, the embedded Postgres runs as the postgres OS user, who must reach its folder.
chmodSync(stateDir, 0o755);

/** The launcher's environment on a bare machine: none of the URLs, and ports where nothing listens. */
async function bareEnv(extra: NodeJS.ProcessEnv = {}): Promise<NodeJS.ProcessEnv> {
  const { DATABASE_URL: _d, REDIS_URL: _r, REDIS_CLUSTER_NODES: _c, ...inherited } = process.env;
  return {
    ...inherited,
    START_POSTGRES_PORT: String(await freePort()),
    START_REDIS_PORT: String(await freePort()),
    START_PORT: String(await freePortRun(5)),
    START_WEB_PORT: String(await freePort()),
    FEEDMESH_STATE_DIR: stateDir,
    LOG_LEVEL: 'warn',
    ...extra,
  };
}

function portOf(output: string, what: RegExp): number {
  const match = what.exec(output);
  if (!match) throw new Error(`the launcher did not print ${what}:\n${output.slice(-4_000)}`);
  return Number(match[1]);
}

async function getFeed(aggregatorPort: number, token: string | undefined) {
  const response = await fetch(`http://127.0.0.1:${aggregatorPort}/feedmesh.feed.v1.FeedService/GetFeed`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'connect-timeout-ms': '5000', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ userId: 'u1', pageSize: 10 }),
  });
  return { status: response.status, body: (await response.json()) as { items?: unknown[]; code?: string } };
}

afterAll(() => rmSync(stateDir, { recursive: true, force: true }));

describe('npm start with nothing on the Postgres and Redis ports', () => {
  let launcher: LauncherProcess;
  let env: NodeJS.ProcessEnv;
  let postgresPort: number;
  let redisPort: number;
  let children: number[];
  let exitCode: number | string;
  let stoppedInMs: number;
  let upInMs: number;

  beforeAll(async () => {
    env = await bareEnv();
    const startedAt = Date.now();
    launcher = startLauncher(env);
    try {
      await launcher.waitFor('feedmesh is up', UP_TIMEOUT_MS);
      upInMs = Date.now() - startedAt;
    } catch (error) {
      launcher.child.kill('SIGTERM');
      await launcher.exited;
      throw error;
    }
    postgresPort = portOf(launcher.output(), /started embedded PostgreSQL .*:\/\/postgres@127\.0\.0\.1:(\d+)\//);
    redisPort = portOf(launcher.output(), /started a redis-server of its own .*redis:\/\/127\.0\.0\.1:(\d+)/);
    children = childPidsOf(launcher.child.pid!);
  }, UP_TIMEOUT_MS + 10_000);

  afterAll(async () => {
    if (launcher.child.exitCode === null) {
      launcher.child.kill('SIGKILL');
      for (const pid of alivePids(children ?? [])) process.kill(pid, 'SIGKILL');
    }
  });

  it('starts an embedded PostgreSQL 17 on a port of its own, with its data in the state folder, and seeds it', async () => {
    expect(postgresPort).not.toBe(Number(env.START_POSTGRES_PORT));
    expect(existsSync(path.join(stateDir, 'postgres', 'PG_VERSION'))).toBe(true);
    const client = new pg.Client({ connectionString: `postgres://postgres@127.0.0.1:${postgresPort}/feedmesh` });
    await client.connect();
    try {
      const { rows } = await client.query<{ version: string; users: string }>('SELECT version(), (SELECT count(*) FROM users) AS users');
      expect(rows[0]!.version).toMatch(/^PostgreSQL 17\./);
      expect(Number(rows[0]!.users)).toBeGreaterThan(0);
    } finally {
      await client.end();
    }
  });

  it('starts a redis-server of its own on a port other than the one it probed', () => {
    expect(redisPort).not.toBe(Number(env.START_REDIS_PORT));
  });

  it('serves a first GetFeed page to the token it printed, and refuses a call without one', async () => {
    const token = /export U1_TOKEN=(\S+)/.exec(launcher.output())?.[1];
    expect(token).toBeDefined();
    const page = await getFeed(Number(env.START_PORT), token);
    expect(page.status, JSON.stringify(page.body)).toBe(200);
    expect(page.body.items?.length).toBeGreaterThan(0);
    const anonymous = await getFeed(Number(env.START_PORT), undefined);
    expect(anonymous.body.code).toBe('unauthenticated');
  });

  it('on SIGTERM stops the apps, then the embedded PostgreSQL and its redis-server, and exits 0', async () => {
    // The five apps, web-feed, Postgres and Redis.
    expect(children.length).toBeGreaterThanOrEqual(8);
    const sentAt = Date.now();
    launcher.child.kill('SIGTERM');
    exitCode = await Promise.race([launcher.exited, new Promise<string>((resolve) => setTimeout(() => resolve('still running'), STOP_TIMEOUT_MS))]);
    stoppedInMs = Date.now() - sentAt;
    console.log(`[faults] quick start on a bare machine: up in ${upInMs} ms (initdb, seed, five apps, warm-up), stopped in ${stoppedInMs} ms`);
    expect(exitCode).toBe(0);
    expect(alivePids(children)).toEqual([]);
    expect(await tcpAccepts(postgresPort)).toBe(false);
    expect(await tcpAccepts(redisPort)).toBe(false);
    // A clean shutdown removes the lock file: the next start reuses the folder without complaint.
    expect(existsSync(path.join(stateDir, 'postgres', 'postmaster.pid'))).toBe(false);
  });
});

describe('npm start whose apps fail to start', () => {
  let blocker: Server;
  let launcher: LauncherProcess;
  let exitCode: number | string;
  let postgresPort: number;

  beforeAll(async () => {
    const env = await bareEnv();
    // recall's port is taken: the mesh cannot start, after Postgres and Redis did.
    blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(Number(env.START_PORT) + 1, '127.0.0.1', resolve));
    const startedAt = Date.now();
    launcher = startLauncher(env);
    exitCode = await Promise.race([launcher.exited, new Promise<string>((resolve) => setTimeout(() => resolve('still running'), UP_TIMEOUT_MS))]);
    console.log(`[faults] quick start with recall's port taken: exited ${exitCode} after ${Date.now() - startedAt} ms`);
    postgresPort = portOf(launcher.output(), /started embedded PostgreSQL .*:\/\/postgres@127\.0\.0\.1:(\d+)\//);
  }, UP_TIMEOUT_MS + 10_000);

  afterAll(async () => {
    blocker?.close();
    if (launcher.child.exitCode === null) launcher.child.kill('SIGKILL');
  });

  it('exits non-zero and leaves no PostgreSQL behind (reusing the folder of the first start)', async () => {
    expect(exitCode, launcher.output().slice(-2_000)).toBe(1);
    expect(launcher.output()).toMatch(/recall exited/);
    expect(await tcpAccepts(postgresPort)).toBe(false);
    expect(existsSync(path.join(stateDir, 'postgres', 'postmaster.pid'))).toBe(false);
  });
});

describe('npm start with no Redis anywhere', () => {
  let output: string;
  let exitCode: number | string;
  let binDir: string;

  beforeAll(async () => {
    // A PATH with node and id only: no redis-server to start.
    binDir = mkdtempSync(path.join(os.tmpdir(), 'feedmesh-quick-start-bin-'));
    symlinkSync(process.execPath, path.join(binDir, 'node'));
    symlinkSync('/usr/bin/id', path.join(binDir, 'id'));
    const emptyState = path.join(binDir, 'state');
    mkdirSync(emptyState);
    const launcher = startLauncher(await bareEnv({ PATH: binDir, FEEDMESH_STATE_DIR: emptyState }));
    exitCode = await Promise.race([launcher.exited, new Promise<string>((resolve) => setTimeout(() => resolve('still running'), 15_000))]);
    if (exitCode === 'still running') launcher.child.kill('SIGKILL');
    output = launcher.output();
  });

  afterAll(() => rmSync(binDir, { recursive: true, force: true }));

  it('prints one line saying what is missing and how to get it, and exits 1', () => {
    expect(exitCode).toBe(1);
    const lines = output.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^\[start\] No Redis: nothing answers on 127\.0\.0\.1:\d+ and redis-server is not on the PATH; install Redis .* or set REDIS_URL\.$/);
  });

  it('starts nothing: no embedded PostgreSQL was initialised', () => {
    expect(existsSync(path.join(binDir, 'state', 'postgres'))).toBe(false);
    expect(output).not.toMatch(/started/);
  });
});
