#!/usr/bin/env node
// `npm run proto:check`: the protobuf checks that `buf lint` does not do.
//
// 1. Generated code is current: `buf generate` runs into a temporary folder and its output must
//    equal the committed files under each `out:` folder of buf.gen.yaml (no missing, extra or
//    different file). The working tree is never touched.
//
// 2. No breaking change: `buf breaking` compares proto/ with a baseline taken from git history
//    (read locally, no network). Which baseline is meaningful depends on where HEAD is:
//    - on a branch whose tip is not main's: the commit where the branch left main (merge-base),
//      so commits that landed on main since then do not look like removals on this branch;
//    - on main's tip (CI checks a fresh clone of main) or with no main branch:
//      - with uncommitted changes in proto/: HEAD, the committed contract those edits must keep;
//      - otherwise the parent commit HEAD~1, so the newest commit is checked. CI cannot know
//        which commit had landed before a push of several commits; only the newest is compared;
//    - a single commit, or a baseline without proto/buf.yaml: nothing to compare; says so, passes.
//    PROTO_BREAKING_AGAINST=<git ref> overrides the choice (e.g. origin/main or a release tag).
//    The baseline is exported with `git archive`, so shallow refs and detached HEADs work alike.
//
// An intentional breaking change belongs in a new package version (feedmesh.x.v2), which buf
// treats as an addition.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const binDir = path.join(root, 'node_modules', '.bin');
// buf runs the local protoc-gen-es plugin, found on PATH; its `env node` must be the pinned Node.
const env = { ...process.env, PATH: `${binDir}${path.delimiter}${process.env.PATH ?? ''}` };
const PROTO_DIR = 'proto';

function run(command, args, options = {}) {
  const result = spawnSync(command, args, { cwd: root, env, encoding: 'utf8', ...options });
  if (result.error) throw result.error;
  return result;
}

function buf(args) {
  return run(path.join(binDir, 'buf'), args, { stdio: 'inherit' }).status === 0;
}

function git(args) {
  const result = run('git', args);
  return result.status === 0 ? result.stdout.trim() : undefined;
}

/** Relative paths of every file below `dir` (empty when it does not exist). */
function listFiles(dir) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => path.relative(dir, path.join(entry.parentPath, entry.name)))
    .sort();
}

function checkGeneratedCode() {
  const template = readFileSync(path.join(root, 'buf.gen.yaml'), 'utf8');
  const outDirs = [...template.matchAll(/^\s*out:\s*['"]?([^'"\s#]+)/gm)].map((match) => match[1]);
  if (outDirs.length === 0) throw new Error('buf.gen.yaml names no `out:` folder');

  const scratch = mkdtempSync(path.join(tmpdir(), 'feedmesh-proto-'));
  try {
    if (!buf(['generate', '--output', scratch])) return fail('`buf generate` failed.');
    const problems = [];
    for (const out of outDirs) {
      const fresh = path.join(scratch, out);
      const committed = path.join(root, out);
      const freshFiles = listFiles(fresh);
      const committedFiles = new Set(listFiles(committed));
      for (const file of freshFiles) {
        if (!committedFiles.delete(file)) problems.push(`missing  ${out}/${file}`);
        else if (!readFileSync(path.join(fresh, file)).equals(readFileSync(path.join(committed, file)))) {
          problems.push(`outdated ${out}/${file}`);
        }
      }
      for (const file of committedFiles) problems.push(`extra    ${out}/${file} (no proto generates it)`);
    }
    if (problems.length > 0) {
      return fail(
        `Generated code does not match the .proto files:\n  ${problems.join('\n  ')}\n` +
          'Run `npm run proto:generate` and commit the result.',
      );
    }
    console.log(`Generated code is up to date (${outDirs.join(', ')}).`);
    return true;
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

/** The git commit to compare against, or a reason why there is none. */
function chooseBaseline() {
  const override = process.env.PROTO_BREAKING_AGAINST;
  if (git(['rev-parse', '--is-inside-work-tree']) !== 'true') return { skip: 'not a git work tree' };
  const head = git(['rev-parse', '--verify', '--quiet', 'HEAD^{commit}']);
  if (!head) return { skip: 'the repository has no commit yet' };
  if (override) {
    const commit = git(['rev-parse', '--verify', '--quiet', `${override}^{commit}`]);
    if (!commit) throw new Error(`PROTO_BREAKING_AGAINST=${override} is not a commit in this repository`);
    return { commit, why: `${override} (PROTO_BREAKING_AGAINST)` };
  }
  const main = git(['rev-parse', '--verify', '--quiet', 'refs/heads/main^{commit}']);
  if (main && main !== head) {
    const base = git(['merge-base', 'HEAD', main]);
    if (base) return { commit: base, why: 'the commit where this branch left main' };
  }
  if (git(['status', '--porcelain', '--', PROTO_DIR])) {
    return { commit: head, why: 'HEAD (proto/ has uncommitted changes)' };
  }
  const parent = git(['rev-parse', '--verify', '--quiet', 'HEAD~1^{commit}']);
  if (!parent) {
    const shallow = git(['rev-parse', '--is-shallow-repository']) === 'true';
    return { skip: shallow ? 'shallow clone without the parent commit' : 'HEAD is the only commit' };
  }
  return { commit: parent, why: 'HEAD~1, the parent of the newest commit' };
}

function checkBreakingChanges() {
  const baseline = chooseBaseline();
  if (baseline.skip) {
    console.log(`Breaking-change check skipped: ${baseline.skip}; there is no earlier contract to compare.`);
    return true;
  }
  const short = baseline.commit.slice(0, 12);
  if (run('git', ['cat-file', '-e', `${baseline.commit}:${PROTO_DIR}/buf.yaml`]).status !== 0) {
    console.log(`Breaking-change check skipped: ${short} has no ${PROTO_DIR}/buf.yaml (contracts came later).`);
    return true;
  }

  const scratch = mkdtempSync(path.join(tmpdir(), 'feedmesh-proto-base-'));
  try {
    const archive = run('git', ['archive', '--format=tar', baseline.commit, PROTO_DIR], { encoding: 'buffer' });
    if (archive.status !== 0) return fail(`git archive ${short} failed: ${archive.stderr.toString().trim()}`);
    const untar = run('tar', ['-x', '-C', scratch], { input: archive.stdout });
    if (untar.status !== 0) return fail(`could not unpack ${PROTO_DIR}/ of ${short}: ${untar.stderr.trim()}`);

    console.log(`Checking ${PROTO_DIR}/ for breaking changes against ${short}, ${baseline.why}.`);
    if (!buf(['breaking', PROTO_DIR, '--against', path.join(scratch, PROTO_DIR)])) {
      return fail(
        `Breaking change(s) against ${short} (listed above). Keep wire compatibility, or put the new ` +
          'shape in a new package version (e.g. feedmesh.feed.v2) and deprecate the old one.',
      );
    }
    console.log('No breaking changes.');
    return true;
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

function fail(message) {
  console.error(`\nproto:check: ${message}`);
  return false;
}

try {
  const generatedOk = checkGeneratedCode();
  const compatibleOk = checkBreakingChanges();
  process.exit(generatedOk && compatibleOk ? 0 : 1);
} catch (error) {
  fail(error instanceof Error ? error.message : String(error));
  process.exit(1);
}
