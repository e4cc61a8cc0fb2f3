// A FileDescriptorSet in its binary encoding is how resolved descriptors travel: --protoset reads
// one, --proto and --reflect produce one, and the bytes cross to worker threads as plain data.
import { create, createFileRegistry, fromBinary, toBinary, type FileRegistry } from '@bufbuild/protobuf';
import { FileDescriptorSetSchema, type FileDescriptorProto } from '@bufbuild/protobuf/wkt';
import { readFileSync } from 'node:fs';
import { UsageError } from '../method-resolver.js';

/** Where a run's message types came from, and the descriptors themselves. */
export interface LoadedDescriptors {
  /** For error messages: `--protoset x.binpb`, `--proto echo.proto`, `reflection at host:port`. */
  readonly source: string;
  /** A google.protobuf.FileDescriptorSet, binary encoded. */
  readonly fileDescriptorSet: Uint8Array;
}

export function encodeFileDescriptorSet(files: readonly FileDescriptorProto[]): Uint8Array {
  return toBinary(FileDescriptorSetSchema, create(FileDescriptorSetSchema, { file: [...files] }));
}

/** Links the set's files; a file whose imports are missing from the set is a usage error naming both. */
export function registryOf(descriptors: LoadedDescriptors): FileRegistry {
  let set;
  try {
    set = fromBinary(FileDescriptorSetSchema, descriptors.fileDescriptorSet);
  } catch (error) {
    throw new UsageError(`${descriptors.source} is not a FileDescriptorSet (as \`buf build -o x.binpb\` writes): ${(error as Error).message}`);
  }
  if (set.file.length === 0) throw new UsageError(`${descriptors.source} holds no files`);
  const names = new Set(set.file.map((file) => file.name));
  for (const file of set.file) {
    const missing = file.dependency.filter((name) => !names.has(name));
    if (missing.length > 0) {
      throw new UsageError(`${descriptors.source}: ${file.name} imports ${missing.join(', ')}, which the set does not hold (build it with its imports)`);
    }
  }
  try {
    return createFileRegistry(create(FileDescriptorSetSchema, { file: importsFirst(set.file) }));
  } catch (error) {
    throw new UsageError(`${descriptors.source} does not link: ${(error as Error).message}`);
  }
}

export function readProtoset(path: string): LoadedDescriptors {
  const source = `--protoset ${path}`;
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (error) {
    throw new UsageError(`${source}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message}`);
  }
  const descriptors = { source, fileDescriptorSet: new Uint8Array(bytes) };
  registryOf(descriptors); // fail here, with the file's name, rather than in every worker
  return descriptors;
}

/** createFileRegistry links files in order, so each file's imports must come before it. */
export function importsFirst(files: readonly FileDescriptorProto[]): FileDescriptorProto[] {
  const byName = new Map(files.map((file) => [file.name, file]));
  const ordered: FileDescriptorProto[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (file: FileDescriptorProto, importedBy: string[]): void => {
    const seen = state.get(file.name);
    if (seen === 'done') return;
    if (seen === 'visiting') throw new UsageError(`import cycle: ${[...importedBy, file.name].join(' → ')}`);
    state.set(file.name, 'visiting');
    for (const name of file.dependency) visit(byName.get(name)!, [...importedBy, file.name]);
    state.set(file.name, 'done');
    ordered.push(file);
  };
  for (const file of files) visit(file, []);
  return ordered;
}
