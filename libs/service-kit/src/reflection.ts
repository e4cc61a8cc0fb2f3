import { createRegistry, toBinary, type DescFile, type DescService } from '@bufbuild/protobuf';
import { FileDescriptorProtoSchema } from '@bufbuild/protobuf/wkt';
import { ConnectError } from '@connectrpc/connect';
import type { Gate } from '@feedmesh/identity';
import * as grpc from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { join } from 'node:path';
import { encodedHealthFile, healthFileName } from './health-descriptor.js';

interface ReflectionRequest {
  host?: string;
  fileByFilename?: string;
  fileContainingSymbol?: string;
  listServices?: string;
  fileContainingExtension?: unknown;
  allExtensionNumbersOfType?: string;
}

// The reflection protos ship inside @grpc/reflection; only their service definitions are used.
const reflectionProtoDir = join(require.resolve('@grpc/reflection/package.json'), '..', 'build', 'proto');

function collectFiles(file: DescFile, into: Map<string, DescFile>): void {
  if (into.has(file.name)) return;
  for (const dep of file.dependencies) collectFiles(dep, into);
  into.set(file.name, file);
}

/**
 * gRPC server reflection (v1 and v1alpha) answered from the protobuf-es descriptors compiled into
 * the app, byte for byte, so grpcurl and buf curl work without our .proto files.
 * (@grpc/reflection re-encodes descriptors through protobufjs and loses their imports, which
 * buf curl then cannot link; this is the part of it we need, done right.)
 */
export function addReflection(server: grpc.Server, services: DescService[], gate: Gate): void {
  const files = new Map<string, DescFile>();
  for (const service of services) collectFiles(service.file, files);
  const registry = createRegistry(...files.values());
  const encoded = new Map<string, Buffer>();
  for (const [name, file] of files) encoded.set(name, Buffer.from(toBinary(FileDescriptorProtoSchema, file.proto)));

  encoded.set(healthFileName, encodedHealthFile());
  const served = [...services.map((s) => s.typeName), 'grpc.health.v1.Health'];

  const filesWithDeps = (name: string): Buffer[] => {
    const file = files.get(name);
    if (!file) return [encoded.get(name)!];
    const ordered = new Map<string, DescFile>();
    collectFiles(file, ordered);
    return [...ordered.keys()].reverse().map((n) => encoded.get(n)!);
  };
  const fileOfSymbol = (symbol: string): string | undefined => {
    if (symbol.startsWith('grpc.health.v1.')) return healthFileName;
    const type = registry.get(symbol) ?? registry.get(symbol.slice(0, symbol.lastIndexOf('.')));
    return type && 'file' in type ? type.file.name : undefined;
  };

  const answer = (request: ReflectionRequest) => {
    const base = { validHost: request.host ?? '', originalRequest: request };
    const notFound = (what: string) => ({ ...base, errorResponse: { errorCode: grpc.status.NOT_FOUND, errorMessage: `${what} not found` } });
    if (request.listServices !== undefined) {
      return { ...base, listServicesResponse: { service: served.map((name) => ({ name })) } };
    }
    if (request.fileByFilename !== undefined) {
      return encoded.has(request.fileByFilename)
        ? { ...base, fileDescriptorResponse: { fileDescriptorProto: filesWithDeps(request.fileByFilename) } }
        : notFound(`file ${request.fileByFilename}`);
    }
    if (request.fileContainingSymbol !== undefined) {
      const name = fileOfSymbol(request.fileContainingSymbol);
      return name
        ? { ...base, fileDescriptorResponse: { fileDescriptorProto: filesWithDeps(name) } }
        : notFound(`symbol ${request.fileContainingSymbol}`);
    }
    if (request.allExtensionNumbersOfType !== undefined) {
      return { ...base, allExtensionNumbersResponse: { baseTypeName: request.allExtensionNumbersOfType, extensionNumber: [] } };
    }
    return notFound('extension');
  };

  for (const version of ['v1', 'v1alpha']) {
    const definition = loadSync(join(reflectionProtoDir, 'grpc', 'reflection', version, 'reflection.proto'), { keepCase: false, longs: Number, defaults: false, oneofs: false });
    const serviceDefinition = definition[`grpc.reflection.${version}.ServerReflection`] as grpc.ServiceDefinition;
    server.addService(serviceDefinition, {
      ServerReflectionInfo: (call: grpc.ServerDuplexStream<ReflectionRequest, unknown>) => {
        // REFLECTION_ACCESS=service: the stream is answered once its caller proved to be a service.
        const [authorization] = call.metadata.get('authorization');
        const admitted = Promise.resolve().then(() => gate.authenticate(typeof authorization === 'string' ? authorization : undefined));
        admitted.catch((error: unknown) => {
          const refusal = ConnectError.from(error);
          call.emit('error', { code: refusal.code as number as grpc.status, details: refusal.rawMessage });
        });
        call.on('data', (request: ReflectionRequest) => void admitted.then(() => call.write(answer(request)), () => undefined));
        call.on('end', () => void admitted.then(() => call.end(), () => undefined));
        call.on('error', () => call.end());
      },
    });
  }
}
