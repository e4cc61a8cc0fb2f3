import type { DescMethod, Registry } from '@bufbuild/protobuf';
import type { CallSlot } from '../call-slot.js';

/**
 * What a transport sends: a gRPC frame (the proto binary after 5 prefix bytes the transport fills),
 * the bare proto binary, or proto JSON text.
 */
export type PayloadKind = 'grpc-frame' | 'binary' | 'json';

/** Sends unary calls; every `send` ends in exactly one `slot.finish(code)`. */
export interface Transport {
  readonly payload: PayloadKind;
  /** `payload` as `payload` says: a Buffer for "grpc-frame" and "binary", a string for "json". Not retained past the call. */
  send(slot: CallSlot, payload: Buffer | string): void;
  close(): void;
}

export interface TransportOptions {
  /** "host:port" (gRPC) or "http://host:port" / "host:port" (Connect). */
  readonly target: string;
  /** "/package.Service/Method". */
  readonly path: string;
  readonly method: DescMethod;
  /** The registry `method` came from (contracts, reflection, --proto, --protoset): resolves Any in JSON responses. */
  readonly registry?: Registry;
  /** gRPC channels / HTTP/2 connections, or the cap on HTTP/1.1 sockets (undefined: one per in-flight call). */
  readonly connections: number | undefined;
  readonly timeoutMs: number;
  readonly metadata: readonly (readonly [string, string])[];
  /** Decode responses (validates them) or only count them; decoding costs client CPU. */
  readonly decodeResponses: boolean;
}
