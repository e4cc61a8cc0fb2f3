// --reflect: the method's service and every file it needs, asked of the server over gRPC server
// reflection (grpc.reflection.v1, then v1alpha for older servers): file_containing_symbol for the
// service, then file_by_filename for each import not yet seen. Reflection is a bidi stream, so it
// always goes over gRPC/HTTP/2 to the target's host:port, whatever --protocol the load uses.
import { fromBinary } from '@bufbuild/protobuf';
import { FileDescriptorProtoSchema, type FileDescriptorProto } from '@bufbuild/protobuf/wkt';
import * as grpc from '@grpc/grpc-js';
import { UsageError } from '../method-resolver.js';
import { encodeFileDescriptorSet, registryOf, type LoadedDescriptors } from './descriptor-set.js';
import { repairReflectedFiles } from './repair-reflected-files.js';
import { decodeReflectionResponse, encodeReflectionRequest, type ReflectionRequest, type ReflectionResponse } from './reflection-messages.js';

export interface ReflectionOptions {
  /** The load's --target: "host:port" or "http://host:port". */
  readonly target: string;
  /** Sent on the reflection stream too (a server may admit reflection to authenticated callers only). */
  readonly metadata: readonly (readonly [string, string])[];
  /** Deadline for the whole exchange. */
  readonly timeoutMs: number;
}

const VERSIONS = ['v1', 'v1alpha'] as const;
const UNAVAILABLE_HINT = ' (reflection is a gRPC stream over HTTP/2; for a server that takes none at this address, such as a Connect server on HTTP/1.1, pass --proto or --protoset)';

/** Descriptors for `serviceName` ("greet.v1.Greeter", or "Greeter", looked up in the server's service list). */
export async function reflectService(serviceName: string, options: ReflectionOptions): Promise<LoadedDescriptors> {
  const address = options.target.replace(/^[a-z]+:\/\//, '').replace(/\/+$/, '');
  const source = `reflection at ${address}`;
  const client = new grpc.Client(address, grpc.credentials.createInsecure());
  try {
    for (const version of VERSIONS) {
      const stream = new ReflectionStream(client, version, options);
      try {
        const files = await collectFiles(stream, serviceName, source);
        const descriptors = { source, fileDescriptorSet: encodeFileDescriptorSet(files) };
        registryOf(descriptors);
        return descriptors;
      } catch (error) {
        if (isStatus(error, grpc.status.UNIMPLEMENTED)) continue;
        if (isStatus(error)) {
          const hint = error.code === grpc.status.UNAVAILABLE ? UNAVAILABLE_HINT : '';
          throw new UsageError(`${source} failed: ${grpc.status[error.code]}: ${error.details.replace(/ Resolution note: $/, '')}${hint}`);
        }
        throw error;
      } finally {
        stream.close();
      }
    }
    throw new UsageError(`server does not offer reflection at ${address} (grpc.reflection.v1 and v1alpha are Unimplemented); pass --proto or --protoset`);
  } finally {
    client.close();
  }
}

async function collectFiles(stream: ReflectionStream, serviceName: string, source: string): Promise<FileDescriptorProto[]> {
  const fullName = serviceName.includes('.') ? serviceName : await findService(stream, serviceName, source);
  const first = await stream.ask({ fileContainingSymbol: fullName });
  if (first.kind !== 'files') {
    const services = await stream.ask({ listServices: true });
    const offered = services.kind === 'services' ? ` (it offers: ${services.services.join(', ')})` : '';
    throw new UsageError(`${source} does not know service "${fullName}"${offered}`);
  }
  const files = new Map<string, FileDescriptorProto>();
  const wanted: string[] = [];
  const add = (protos: readonly Uint8Array[]): void => {
    for (const bytes of protos) {
      const file = fromBinary(FileDescriptorProtoSchema, bytes);
      if (files.has(file.name)) continue;
      files.set(file.name, file);
      wanted.push(...file.dependency);
    }
  };
  add(first.fileDescriptorProtos);
  const followImports = async (): Promise<void> => {
    for (let name = wanted.shift(); name !== undefined; name = wanted.shift()) {
      if (files.has(name)) continue;
      const response = await stream.ask({ fileByFilename: name });
      if (response.kind !== 'files') {
        const why = response.kind === 'error' ? `: ${response.message}` : '';
        throw new UsageError(`${source}: the server does not serve ${name}, which its files import${why}`);
      }
      add(response.fileDescriptorProtos);
    }
  };
  await followImports();
  // Relative type names (a protobufjs-based server) that no file so far defines: ask for the file
  // of each name they could stand for, then link again; a few rounds cover types of types.
  for (let round = 0; round < 4; round++) {
    const { unresolved } = repairReflectedFiles([...files.values()]);
    if (unresolved.length === 0) break;
    for (const { candidates } of unresolved) {
      for (const candidate of candidates) {
        const response = await stream.ask({ fileContainingSymbol: candidate });
        if (response.kind !== 'files') continue;
        add(response.fileDescriptorProtos);
        break;
      }
    }
    await followImports();
  }
  return [...files.values()];
}

async function findService(stream: ReflectionStream, shortName: string, source: string): Promise<string> {
  const response = await stream.ask({ listServices: true });
  const services = response.kind === 'services' ? response.services : [];
  const matches = services.filter((name) => name === shortName || name.endsWith(`.${shortName}`));
  if (matches.length === 1) return matches[0];
  if (matches.length > 1) throw new UsageError(`"${shortName}" is ambiguous on ${source}: ${matches.join(', ')}; use the full name`);
  throw new UsageError(`${source} offers no service "${shortName}" (it offers: ${services.join(', ') || 'none'})`);
}

/** One reflection stream: requests are answered in order, so each `ask` awaits the next response. */
class ReflectionStream {
  private readonly call: grpc.ClientDuplexStream<Buffer, Buffer>;
  private readonly waiting: { resolve: (response: ReflectionResponse) => void; reject: (error: unknown) => void }[] = [];
  private failure: unknown;

  constructor(client: grpc.Client, version: (typeof VERSIONS)[number], options: ReflectionOptions) {
    const metadata = new grpc.Metadata();
    for (const [key, value] of options.metadata) metadata.add(key, value);
    this.call = client.makeBidiStreamRequest(
      `/grpc.reflection.${version}.ServerReflection/ServerReflectionInfo`,
      (request: Buffer) => request,
      (bytes: Buffer) => bytes,
      metadata,
      { deadline: Date.now() + options.timeoutMs },
    );
    this.call.on('data', (bytes: Buffer) => this.waiting.shift()?.resolve(decodeReflectionResponse(bytes)));
    this.call.on('error', (error) => this.fail(error));
    this.call.on('status', () => this.fail(new UsageError('the server ended the reflection stream before answering')));
  }

  ask(request: ReflectionRequest): Promise<ReflectionResponse> {
    if (this.failure !== undefined) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      this.waiting.push({ resolve, reject });
      this.call.write(encodeReflectionRequest(request));
    });
  }

  close(): void {
    this.call.end();
    this.call.cancel();
  }

  private fail(error: unknown): void {
    this.failure ??= error;
    for (const waiter of this.waiting.splice(0)) waiter.reject(this.failure);
  }
}

function isStatus(error: unknown, code?: grpc.status): error is grpc.ServiceError {
  const status = (error as Partial<grpc.ServiceError> | undefined)?.code;
  return typeof status === 'number' && (code === undefined || status === code) && !(error instanceof UsageError);
}
