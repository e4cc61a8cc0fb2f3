import type { DescMethod, Message } from '@bufbuild/protobuf';
import type { CallSlot } from '../call-slot.js';

/** Sends unary calls; every `send` ends in exactly one `slot.finish(code)`. */
export interface Transport {
  send(slot: CallSlot, request: Message): void;
  close(): void;
}

export interface TransportOptions {
  /** "host:port" (gRPC) or "http://host:port" / "host:port" (Connect). */
  readonly target: string;
  /** "/package.Service/Method". */
  readonly path: string;
  readonly method: DescMethod;
  /** gRPC channels, or the cap on HTTP/1.1 sockets (undefined: one per in-flight call). */
  readonly connections: number | undefined;
  readonly timeoutMs: number;
  readonly metadata: readonly (readonly [string, string])[];
  /** Decode responses (validates them) or only count them; decoding costs client CPU. */
  readonly decodeResponses: boolean;
  /** The body never changes, so it is encoded once. */
  readonly constantBody: boolean;
}
