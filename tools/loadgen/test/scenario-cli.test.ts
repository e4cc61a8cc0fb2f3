// The built CLI with --scenario: a bad file is a usage error (exit 1) naming file, line and field;
// a good one runs against the fake feed and prints its stages and steps.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFeedFixture, type FeedFixture } from './fixtures/feed-fixture.js';

const CLI = join(__dirname, '..', 'dist', 'main.js');
let dir: string;
let fixture: FeedFixture;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'loadgen-scenario-cli-'));
  fixture = await startFeedFixture({ pages: 2 });
});
afterAll(async () => {
  await fixture?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Runs in the temp dir, so no .feedmesh/dev-keys.json of a checkout is found. */
function runCli(args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { timeout: 30_000, cwd: dir, env: { ...process.env, AUTH_TOKEN_SECRET: '' } }, (error, stdout, stderr) => {
      resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : -1, stdout, stderr });
    });
  });
}

describe('feedmesh-loadgen --scenario', () => {
  it('exits 1 with the file, line and field of a mistake', async () => {
    const file = join(dir, 'bad.yaml');
    writeFileSync(file, 'stages: [1s@5/s]\njourneys:\n  - steps:\n      - method: FeedService/GetFeed\n        extract: { cursor: nextCursr }\n');
    const { code, stderr } = await runCli(['--scenario', file, '--target', fixture.address]);
    expect(code).toBe(1);
    expect(stderr).toContain(`${file}:5:28: journeys[0].steps[0].extract.cursor: "nextCursr": feedmesh.feed.v1.GetFeedResponse has no field "nextCursr"`);
  });

  it('refuses to sign tokens without a secret, and says where one comes from', async () => {
    const file = join(dir, 'auth.yaml');
    writeFileSync(file, 'stages: [1s@5/s]\nauth: { service: loadgen }\njourneys:\n  - steps:\n      - method: FeedService/GetFeed\n');
    const { code, stderr } = await runCli(['--scenario', file, '--target', fixture.address]);
    expect(code).toBe(1);
    expect(stderr).toMatch(/no secret: give --auth-secret, AUTH_TOKEN_SECRET/);
  });

  it('runs --method on --stages as a one-step journey and prints stages and steps', async () => {
    const { code, stdout, stderr } = await runCli([
      '--method', 'FeedService/GetFeed', '--body', '{"userId":"{{user}}"}', '--var', 'user=range:u1..u9',
      '--target', fixture.address, '--stages', '500ms@20/s,500ms@20/s',
    ]);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toMatch(/^stage {7}500ms@20\/s {3}.* calls\/s, \d+ ok, 0 errors/m);
    expect(stdout).toMatch(/^step {8}call\/FeedService\/GetFeed +\d+ ok, 0 errors/m);
    expect(stdout).toMatch(/^journey {5}call {9}15 started, 15 completed, 0 failed, 0 cut by the end/m);
  });
});
