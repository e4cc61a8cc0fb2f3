// Where a run's method and message types come from: feedmesh's contracts (the default), server
// reflection (--reflect), .proto files (--proto, --import-path) or a descriptor set (--protoset).
import type { FileRegistry } from '@bufbuild/protobuf';
import type { LoadOptions } from '../load-options.js';
import { contractsRegistry, resolveMethod, splitMethodName, UsageError, type ResolvedMethod } from '../method-resolver.js';
import { compileProtos } from './compile-protos.js';
import { readProtoset, registryOf, type LoadedDescriptors } from './descriptor-set.js';
import { reflectService } from './server-reflection.js';

/** The run's options that say where the types come from (and how to ask a server for them). */
export type DescriptorOptions = Pick<LoadOptions, 'target' | 'method' | 'reflect' | 'protoFiles' | 'importPaths' | 'protoset' | 'metadata' | 'timeoutMs'>;

/** The descriptors the flags name, or undefined for the contracts. Throws UsageError, naming the flag or file. */
export async function loadDescriptors(options: DescriptorOptions): Promise<LoadedDescriptors | undefined> {
  const protoFiles = options.protoFiles ?? [];
  const importPaths = options.importPaths ?? [];
  const chosen = [options.reflect === true && '--reflect', protoFiles.length > 0 && '--proto', options.protoset !== undefined && '--protoset'].filter(Boolean);
  if (chosen.length > 1) throw new UsageError(`use one of ${chosen.join(', ')}, not several`);
  if (importPaths.length > 0 && protoFiles.length === 0) throw new UsageError('--import-path needs at least one --proto file');
  if (options.protoset !== undefined) return readProtoset(options.protoset);
  if (protoFiles.length > 0) return compileProtos({ protoFiles, importPaths });
  if (options.reflect !== true) return undefined;
  const { serviceName } = splitMethodName(options.method);
  return reflectService(serviceName, { target: options.target, metadata: options.metadata ?? [], timeoutMs: options.timeoutMs ?? 5000 });
}

const registries = new WeakMap<Uint8Array, FileRegistry>();

/** The method against the run's descriptors (the contracts when there are none). */
export function resolveMethodIn(name: string, descriptors: LoadedDescriptors | undefined): ResolvedMethod {
  if (descriptors === undefined) return resolveMethod(name, contractsRegistry(), '@feedmesh/contracts');
  let registry = registries.get(descriptors.fileDescriptorSet);
  if (registry === undefined) {
    registry = registryOf(descriptors);
    registries.set(descriptors.fileDescriptorSet, registry);
  }
  return resolveMethod(name, registry, descriptors.source);
}
