import * as grpc from '@grpc/grpc-js';
import { loadSync, type Options } from '@grpc/proto-loader';
import { protoPath as healthProtoPath } from 'grpc-health-check';
import { protoRoot } from './fixture-apps.js';

/**
 * Clients built the way a third party would: grpc-js + proto-loader reading the repository's
 * .proto files (not our generated code). Objects are shaped like proto3 JSON (enum names, int64
 * as strings, defaults left out) so answers compare directly with Connect JSON.
 */
const jsonLike: Options = { keepCase: false, longs: String, enums: String, defaults: false, oneofs: true, includeDirs: [protoRoot] };

type ClientConstructor = new (address: string, credentials: grpc.ChannelCredentials) => grpc.Client;

function serviceConstructor(file: string, typeName: string, options: Options = jsonLike): ClientConstructor {
  const loaded = grpc.loadPackageDefinition(loadSync(file, options));
  let node: unknown = loaded;
  for (const part of typeName.split('.')) node = (node as Record<string, unknown>)[part];
  return node as ClientConstructor;
}

export type UnaryFn = (request: unknown, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<unknown>) => grpc.ClientUnaryCall;

/** Calls a unary method of a loaded client, resolving with the response or rejecting with the ServiceError. */
export function callUnary<T = Record<string, unknown>>(
  client: grpc.Client,
  method: string,
  request: unknown,
  options: { metadata?: Record<string, string>; deadlineMs?: number } = {},
): Promise<T> {
  const metadata = new grpc.Metadata();
  for (const [key, value] of Object.entries(options.metadata ?? {})) metadata.set(key, value);
  const deadline = Date.now() + (options.deadlineMs ?? 5_000);
  const fn = (client as unknown as Record<string, UnaryFn>)[method].bind(client);
  return new Promise((resolve, reject) => fn(request, metadata, { deadline }, (error, response) => (error ? reject(error) : resolve(response as T))));
}

export function rankingClient(address: string): grpc.Client {
  const Ctor = serviceConstructor('feedmesh/ranking/v1/ranking.proto', 'feedmesh.ranking.v1.RankingService');
  return new Ctor(address, grpc.credentials.createInsecure());
}

export function feedClient(address: string): grpc.Client {
  const Ctor = serviceConstructor('feedmesh/feed/v1/feed.proto', 'feedmesh.feed.v1.FeedService');
  return new Ctor(address, grpc.credentials.createInsecure());
}

export function healthClient(address: string): grpc.Client {
  const Ctor = serviceConstructor(healthProtoPath, 'grpc.health.v1.Health', { keepCase: true, enums: String, defaults: true });
  return new Ctor(address, grpc.credentials.createInsecure());
}

/** A generic client that sends raw bytes, to deliver what no well-behaved client would. */
export function rawUnary(address: string, path: string, bytes: Uint8Array): Promise<Buffer> {
  const client = new grpc.Client(address, grpc.credentials.createInsecure());
  const identity = (b: Buffer) => b;
  return new Promise<Buffer>((resolve, reject) => {
    client.makeUnaryRequest(path, identity, identity, Buffer.from(bytes), new grpc.Metadata(), { deadline: Date.now() + 5_000 }, (error, response) => {
      client.close();
      if (error) reject(error);
      else resolve(response as Buffer);
    });
  });
}
