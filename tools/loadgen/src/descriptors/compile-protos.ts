// --proto: .proto files compiled in-process into a FileDescriptorSet by buf (@bufbuild/buf, the
// compiler the repo already generates its contracts with; it runs offline). protobufjs was the
// pure-JS alternative, but its descriptor export drops imports, json names, proto3 `optional` and
// file names, so types from a second file would not link.
//
// buf has no protoc-style -I: each import path becomes one module of a throwaway buf workspace,
// linked in by symlink, and errors are mapped back from the module's name to the path given.
import { execFileSync } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, readSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { UsageError } from '../method-resolver.js';
import type { LoadedDescriptors } from './descriptor-set.js';
import { registryOf } from './descriptor-set.js';

export interface ProtoSources {
  /** .proto files: paths, or names relative to an import path (as protoc and grpcurl take them). */
  readonly protoFiles: readonly string[];
  /** Roots imports are resolved against; default: the directory of each --proto file. */
  readonly importPaths: readonly string[];
}

/** Where a --proto file sits: the import path it is under and its name relative to it (its import name). */
export function locateProto(file: string, importPaths: readonly string[]): { root: number; name: string } {
  const absolute = resolve(file);
  for (const [index, root] of importPaths.entries()) {
    const fromRoot = relative(resolve(root), absolute);
    if (!fromRoot.startsWith('..') && !isAbsolute(fromRoot) && existsSync(absolute)) return { root: index, name: fromRoot.split(sep).join('/') };
  }
  if (!isAbsolute(file)) {
    for (const [index, root] of importPaths.entries()) {
      if (existsSync(join(root, file))) return { root: index, name: file.split(sep).join('/') };
    }
  }
  const where = existsSync(absolute) ? 'is not under any --import-path' : 'not found';
  throw new UsageError(`--proto ${file}: ${where} (import paths: ${importPaths.join(', ')})`);
}

export function compileProtos(sources: ProtoSources): LoadedDescriptors {
  if (sources.protoFiles.length === 0) throw new UsageError('--import-path needs at least one --proto file');
  const importPaths = sources.importPaths.length > 0 ? [...sources.importPaths] : [...new Set(sources.protoFiles.map((file) => dirname(resolve(file))))];
  for (const path of importPaths) {
    if (!existsSync(path) || !statSync(path).isDirectory()) throw new UsageError(`--import-path ${path}: not a directory`);
  }
  const targets = sources.protoFiles.map((file) => locateProto(file, importPaths));
  const source = `--proto ${sources.protoFiles.join(' ')}`;
  const workspace = mkdtempSync(join(tmpdir(), 'feedmesh-loadgen-protos-'));
  try {
    importPaths.forEach((path, index) => symlinkSync(resolve(path), join(workspace, `i${index}`), 'dir'));
    writeFileSync(join(workspace, 'buf.yaml'), `version: v2\nmodules:\n${importPaths.map((_, index) => `  - path: i${index}\n`).join('')}`);
    const output = join(workspace, 'out.binpb');
    const args = ['build', workspace, '--output', output, ...targets.flatMap((target) => ['--path', join(workspace, `i${target.root}`, target.name)])];
    try {
      const [command, ...prefix] = bufCommand();
      execFileSync(command, [...prefix, ...args], { stdio: ['ignore', 'ignore', 'pipe'], timeout: 60_000 });
    } catch (error) {
      const stderr = String((error as { stderr?: Buffer }).stderr ?? (error as Error).message);
      throw new UsageError(`${source} does not compile:\n${restorePaths(stderr, workspace, importPaths).trim()}`);
    }
    const descriptors = { source, fileDescriptorSet: new Uint8Array(readFileSync(output)) };
    registryOf(descriptors);
    return descriptors;
  } finally {
    rmSync(workspace, { recursive: true, force: true });
  }
}

/** buf names files by module ("i0/echo.proto"); the user knows them by the import path they gave. */
function restorePaths(text: string, workspace: string, importPaths: readonly string[]): string {
  return text.replace(new RegExp(`(?:${escapeRegExp(workspace)}/)?\\bi(\\d+)/`, 'g'), (match, index: string) => {
    const path = importPaths[Number(index)];
    return path === undefined ? match : join(path, '/');
  });
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** buf's bin/buf is a Node launcher (or, once its install script swapped it, the binary itself): run either without relying on PATH. */
function bufCommand(): string[] {
  let file: string;
  try {
    file = require.resolve('@bufbuild/buf/bin/buf');
  } catch {
    throw new UsageError('--proto needs the buf compiler (npm package @bufbuild/buf); pass --protoset instead');
  }
  const head = Buffer.alloc(2);
  const fd = openSync(file, 'r');
  try {
    readSync(fd, head, 0, 2, 0);
  } finally {
    closeSync(fd);
  }
  return head.toString('latin1') === '#!' ? [process.execPath, file] : [file];
}
