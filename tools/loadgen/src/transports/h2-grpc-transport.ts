// gRPC unary calls straight over node:http2 (github.com/grpc/grpc/blob/master/doc/PROTOCOL-HTTP2.md):
// POST /<service>/<Method>, `content-type: application/grpc`, one length-prefixed message, status in
// the trailers (or in the headers of a trailers-only response).
//
// Why not @grpc/grpc-js (still available as `--protocol grpc-js`): per call it builds an
// interceptor chain, resolving / retrying / load-balancing call objects, metadata clones and a
// filter stack, which cost about as much client CPU as the HTTP/2 stream itself (README, "Cost").
// A load generator needs none of it: the body arrives already framed, the per-slot call state and
// the stream event handlers are allocated once, and deadlines are one periodic sweep over the
// in-flight calls (plus `grpc-timeout`, which the server enforces) instead of a timer per call.
import { fromBinary, type DescMessage } from '@bufbuild/protobuf';
import * as http2 from 'node:http2';
import { GRPC_PREFIX_BYTES } from '../body-template.js';
import type { CallSlot } from '../call-slot.js';
import { CANCELLED, DEADLINE_EXCEEDED, INTERNAL, OK, UNAVAILABLE, UNKNOWN, codeFromHttpStatus } from '../status-codes.js';
import type { Transport, TransportOptions } from './transport.js';

const CALL = Symbol('feedmesh.loadgen.call');
type CallStream = http2.ClientHttp2Stream & { [CALL]?: H2Call };

/** One slot's call state, reused for every call the slot makes. */
class H2Call {
  stream: CallStream | undefined = undefined;
  deadlineMs = 0;
  httpStatus = 0;
  /** grpc-status from the headers or trailers; -1 until seen. */
  grpcStatus = -1;
  chunks: Buffer[] = [];
  failed = false;

  constructor(
    readonly slot: CallSlot,
    /** Decode (and so validate) responses with this schema; undefined: only count them. */
    readonly output: DescMessage | undefined,
  ) {}

  reset(stream: CallStream, deadlineMs: number): void {
    this.stream = stream;
    this.deadlineMs = deadlineMs;
    this.httpStatus = 0;
    this.grpcStatus = -1;
    this.failed = false;
    this.chunks.length = 0;
  }
}

const REQUEST_OPTIONS: http2.ClientSessionRequestOptions = { endStream: false };

export class H2GrpcTransport implements Transport {
  readonly payload = 'grpc-frame';
  private readonly sessions: (http2.ClientHttp2Session | undefined)[];
  /** No new connection attempt before this (ms, performance.now()) after one failed to connect. */
  private readonly retryAfterMs: number[];
  private readonly calls: H2Call[] = [];
  /** Request headers as a raw [name, value, ...] array (cheaper for node:http2 than an object); one value changes per call. */
  private readonly headers: string[];
  private readonly traceparentIndex: number;
  private readonly authority: string;
  private readonly output: DescMessage | undefined;
  private readonly sweepTimer: NodeJS.Timeout;
  private closed = false;

  constructor(private readonly options: TransportOptions) {
    this.authority = `http://${options.target.replace(/^[a-z]+:\/\//, '')}`;
    const channels = Math.max(1, options.connections ?? 1);
    this.sessions = new Array<http2.ClientHttp2Session | undefined>(channels).fill(undefined);
    this.retryAfterMs = new Array<number>(channels).fill(0);
    this.output = options.decodeResponses ? options.method.output : undefined;
    const headers: Record<string, string> = {
      ':method': 'POST',
      ':path': options.path,
      'content-type': 'application/grpc',
      te: 'trailers',
      'grpc-timeout': grpcTimeout(options.timeoutMs),
      'user-agent': 'feedmesh-loadgen',
    };
    for (const [key, value] of options.metadata) headers[key] = value;
    delete headers.traceparent; // set per call, last
    headers.traceparent = '';
    this.headers = Object.entries(headers).flat();
    this.traceparentIndex = this.headers.length - 1;
    // Deadlines: the server enforces grpc-timeout; this sweep covers a server or link that went
    // silent, within a tenth of the timeout (5–100 ms) after the deadline.
    const sweepMs = Math.min(100, Math.max(5, Math.round(options.timeoutMs / 10)));
    this.sweepTimer = setInterval(this.sweep, sweepMs);
    this.sweepTimer.unref();
  }

  /** `frame` is a whole gRPC message frame (prefix + encoded request); it may be shared between calls. */
  send(slot: CallSlot, frame: Buffer | string): void {
    const channel = slot.id % this.sessions.length;
    const session = this.sessions[channel] ?? this.connect(channel);
    const call = this.calls[slot.id] ?? (this.calls[slot.id] = new H2Call(slot, this.output));
    if (session === undefined) {
      // Not reconnecting yet after a failed attempt: fail fast, like a channel in TRANSIENT_FAILURE.
      call.stream = undefined;
      setImmediate(slot.finish, UNAVAILABLE);
      return;
    }
    const headers = this.headers;
    headers[this.traceparentIndex] = slot.traceparent;
    let stream: CallStream;
    try {
      stream = session.request(headers, REQUEST_OPTIONS) as CallStream;
    } catch {
      // e.g. the session is closing after a GOAWAY; the next call opens a new one.
      this.drop(channel, session);
      call.stream = undefined;
      setImmediate(slot.finish, UNAVAILABLE);
      return;
    }
    call.reset(stream, performance.now() + this.options.timeoutMs);
    stream[CALL] = call;
    stream.on('response', onResponse);
    stream.on('trailers', onTrailers);
    if (this.output === undefined) stream.on('data', ignore);
    else stream.on('data', onData);
    stream.on('error', onError);
    stream.on('close', onClose);
    stream.end(frame);
  }

  close(): void {
    this.closed = true;
    clearInterval(this.sweepTimer);
    for (const session of this.sessions) session?.close();
  }

  private connect(channel: number): http2.ClientHttp2Session | undefined {
    if (this.closed || performance.now() < this.retryAfterMs[channel]) return undefined;
    const session = http2.connect(this.authority, {
      // Unlimited until the server says otherwise (RFC 9113 §6.5.2), rather than Node's default 100.
      peerMaxConcurrentStreams: 2 ** 31 - 1,
      maxSessionMemory: 256,
      settings: { enablePush: false, initialWindowSize: 1 << 24 },
    });
    let connected = false;
    session.once('connect', () => {
      connected = true;
      session.setLocalWindowSize(1 << 26);
    });
    session.on('error', () => {
      // Streams on it close with an error and finish as UNAVAILABLE; back off only when it never connected.
      if (!connected) this.retryAfterMs[channel] = performance.now() + 100;
      this.drop(channel, session);
    });
    session.once('goaway', () => this.drop(channel, session));
    session.once('close', () => this.drop(channel, session));
    this.sessions[channel] = session;
    return session;
  }

  private drop(channel: number, session: http2.ClientHttp2Session): void {
    if (this.sessions[channel] === session) this.sessions[channel] = undefined;
  }

  private readonly sweep = (): void => {
    const now = performance.now();
    for (const call of this.calls) {
      const stream = call?.stream;
      if (stream === undefined || call.deadlineMs > now) continue;
      call.stream = undefined;
      stream.close(http2.constants.NGHTTP2_CANCEL);
      call.slot.finish(DEADLINE_EXCEEDED);
    }
  };
}

function statusOf(call: H2Call, stream: http2.ClientHttp2Stream, chunks: readonly Buffer[]): number {
  if (call.grpcStatus >= 0) {
    if (call.grpcStatus !== OK) return call.grpcStatus;
    return call.output === undefined ? OK : decodeResponse(call.output, chunks, call.slot);
  }
  if (call.httpStatus !== 0 && call.httpStatus !== 200) return codeFromHttpStatus(call.httpStatus);
  if (call.failed) return UNAVAILABLE;
  if (stream.rstCode === http2.constants.NGHTTP2_REFUSED_STREAM) return UNAVAILABLE;
  if (stream.rstCode === http2.constants.NGHTTP2_CANCEL) return CANCELLED;
  return call.httpStatus === 200 ? INTERNAL : UNKNOWN;
}

/** Decodes the response message (validating it); INTERNAL when it is missing or malformed. */
export function decodeResponse(output: DescMessage, chunks: readonly Buffer[], slot?: CallSlot): number {
  const bytes = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks);
  if (bytes.length < GRPC_PREFIX_BYTES || bytes[0] !== 0) return INTERNAL;
  if (bytes.length !== GRPC_PREFIX_BYTES + bytes.readUInt32BE(1)) return INTERNAL;
  try {
    const message = fromBinary(output, bytes.subarray(GRPC_PREFIX_BYTES));
    if (slot !== undefined) slot.response = message;
    return OK;
  } catch {
    return INTERNAL;
  }
}

// Every handler first checks that the call is still this stream's: after the deadline sweep
// cancelled a stream, its slot may already be running the next call.
function onResponse(this: CallStream, headers: http2.IncomingHttpHeaders): void {
  const call = this[CALL]!;
  if (call.stream !== this) return;
  call.httpStatus = Number(headers[':status']);
  const grpcStatus = headers['grpc-status'];
  if (grpcStatus !== undefined) call.grpcStatus = Number(grpcStatus); // trailers-only response
}

function onTrailers(this: CallStream, trailers: http2.IncomingHttpHeaders): void {
  const call = this[CALL]!;
  if (call.stream !== this) return;
  const grpcStatus = trailers['grpc-status'];
  call.grpcStatus = grpcStatus === undefined ? UNKNOWN : Number(grpcStatus);
}

function onData(this: CallStream, chunk: Buffer): void {
  const call = this[CALL]!;
  if (call.stream === this) call.chunks.push(chunk);
}

function ignore(): void {}

function onClose(this: CallStream): void {
  const call = this[CALL];
  if (call === undefined || call.stream !== this) return; // already finished by the deadline sweep
  call.stream = undefined;
  call.slot.finish(statusOf(call, this, call.chunks));
}

function onError(this: CallStream): void {
  const call = this[CALL]!;
  if (call.stream === this) call.failed = true;
}

/** gRPC's `grpc-timeout`: at most 8 digits and a unit. */
export function grpcTimeout(timeoutMs: number): string {
  const ms = Math.max(1, Math.ceil(timeoutMs));
  return ms < 1e8 ? `${ms}m` : `${Math.ceil(ms / 1000)}S`;
}
