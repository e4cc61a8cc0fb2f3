// Turns "feedmesh.feed.v1.FeedService/GetFeed" (or the short "FeedService/GetFeed") into the
// method descriptor, looked up in a registry rather than generated stubs — the contracts' by
// default, or one built from reflection, .proto files or a descriptor set (descriptors/) — so any
// unary method can be driven without code changes here.
import { create, createFileRegistry, type DescFile, type DescMethod, type FileRegistry } from '@bufbuild/protobuf';
import { FileDescriptorSetSchema } from '@bufbuild/protobuf/wkt';
import { contractFiles } from '@feedmesh/contracts';

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export interface ResolvedMethod {
  readonly method: DescMethod;
  /** The gRPC / Connect path: "/feedmesh.feed.v1.FeedService/GetFeed". */
  readonly path: string;
  /** The registry the method came from: resolves google.protobuf.Any contents in JSON. */
  readonly registry: FileRegistry;
}

let contractRegistry: FileRegistry | undefined;

/** A registry over the contracts and every file they import (e.g. google/protobuf/timestamp). */
export function contractsRegistry(): FileRegistry {
  if (contractRegistry === undefined) {
    const files = new Map<string, DescFile>();
    const visit = (file: DescFile): void => {
      if (files.has(file.name)) return;
      for (const dependency of file.dependencies) visit(dependency);
      files.set(file.name, file);
    };
    contractFiles.forEach(visit);
    const set = create(FileDescriptorSetSchema, { file: [...files.values()].map((file) => file.proto) });
    contractRegistry = createFileRegistry(set);
  }
  return contractRegistry;
}

/** "pkg.Service/Method" (a leading "/" allowed) → its two halves; anything else is a usage error. */
export function splitMethodName(name: string): { serviceName: string; methodName: string } {
  const trimmed = name.replace(/^\//, '');
  const slash = trimmed.lastIndexOf('/');
  if (slash <= 0 || slash === trimmed.length - 1) {
    throw new UsageError(`--method must look like "package.Service/Method" or "Service/Method", got "${name}"`);
  }
  return { serviceName: trimmed.slice(0, slash), methodName: trimmed.slice(slash + 1) };
}

/** `source` names where the registry came from, for the error when the service is not in it. */
export function resolveMethod(name: string, registry: FileRegistry = contractsRegistry(), source = '@feedmesh/contracts'): ResolvedMethod {
  const { serviceName, methodName } = splitMethodName(name);
  const candidates = [];
  const known: string[] = [];
  for (const file of registry.files) {
    for (const service of file.services) {
      known.push(service.typeName);
      if (service.typeName === serviceName || service.name === serviceName) candidates.push(service);
    }
  }
  if (candidates.length === 0) throw new UsageError(`unknown service "${serviceName}" (not in ${source}; it has: ${known.join(', ') || 'no services'})`);
  if (candidates.length > 1) {
    throw new UsageError(`"${serviceName}" is ambiguous: ${candidates.map((s) => s.typeName).join(', ')}; use the full name`);
  }
  const service = candidates[0];
  const method = service.methods.find((m) => m.name === methodName);
  if (method === undefined) {
    throw new UsageError(`${service.typeName} has no method "${methodName}" (has: ${service.methods.map((m) => m.name).join(', ')})`);
  }
  if (method.methodKind !== 'unary') throw new UsageError(`${service.typeName}/${method.name} is ${method.methodKind}; only unary methods are supported`);
  return { method, path: `/${service.typeName}/${method.name}`, registry };
}
