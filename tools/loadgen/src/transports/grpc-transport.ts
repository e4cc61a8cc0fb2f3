// gRPC over HTTP/2 with @grpc/grpc-js (`--protocol grpc-js`): the reference client, markedly
// costlier per call than the plain node:http2 transport (h2-grpc-transport.ts, README "Cost").
// Requests arrive encoded, so the serializer passes them through.
import { fromBinary, type DescMessage } from '@bufbuild/protobuf';
import * as grpc from '@grpc/grpc-js';
import type { CallSlot } from '../call-slot.js';
import type { Transport, TransportOptions } from './transport.js';

type GrpcCallback = (error: grpc.ServiceError | null, response?: unknown) => void;

export class GrpcTransport implements Transport {
  private readonly clients: grpc.Client[];
  readonly payload = 'binary';
  private readonly serialize = (request: Buffer): Buffer => request;
  private readonly deserialize: (bytes: Buffer) => unknown;
  // Per-slot state, reused across that slot's calls: grpc-js clones metadata when a call starts
  // and only reads the options, so neither is retained past `makeUnaryRequest`.
  private readonly metadata: grpc.Metadata[] = [];
  private readonly callOptions: grpc.CallOptions[] = [];
  private readonly callbacks: GrpcCallback[] = [];

  constructor(private readonly options: TransportOptions) {
    const channels = Math.max(1, options.connections ?? 1);
    this.clients = Array.from({ length: channels }, (_, index) =>
      new grpc.Client(options.target, grpc.credentials.createInsecure(), {
        // A channel-local subchannel pool plus a distinct option per channel: otherwise grpc-js
        // shares one subchannel (one TCP connection) between channels with equal options.
        'grpc.use_local_subchannel_pool': 1,
        'feedmesh.loadgen.channel': index,
        'grpc.max_receive_message_length': 64 * 1024 * 1024,
        'grpc.max_send_message_length': 64 * 1024 * 1024,
      }),
    );
    const output: DescMessage = options.method.output;
    this.deserialize = options.decodeResponses ? (bytes) => fromBinary(output, bytes) : (bytes) => bytes;
  }

  send(slot: CallSlot, request: Buffer | string): void {
    const id = slot.id;
    let metadata = this.metadata[id];
    if (metadata === undefined) metadata = this.prepareSlot(slot);
    metadata.set('traceparent', slot.traceparent);
    const callOptions = this.callOptions[id];
    callOptions.deadline = Date.now() + this.options.timeoutMs;
    this.clients[id % this.clients.length].makeUnaryRequest(
      this.options.path,
      this.serialize,
      this.deserialize,
      request as Buffer,
      metadata,
      callOptions,
      this.callbacks[id],
    );
  }

  close(): void {
    for (const client of this.clients) client.close();
  }

  private prepareSlot(slot: CallSlot): grpc.Metadata {
    const metadata = new grpc.Metadata();
    for (const [key, value] of this.options.metadata) metadata.add(key, value);
    this.metadata[slot.id] = metadata;
    this.callOptions[slot.id] = {};
    this.callbacks[slot.id] = (error, response) => {
      slot.response = this.options.decodeResponses ? response : undefined;
      slot.finish(error === null ? grpc.status.OK : (error.code ?? grpc.status.UNKNOWN));
    };
    return metadata;
  }
}
