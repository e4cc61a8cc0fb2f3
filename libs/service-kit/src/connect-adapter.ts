import type { IncomingMessage, ServerResponse } from 'node:http';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { base64Decode } from '@bufbuild/protobuf/wire';
import { Code, ConnectError, createConnectRouter, createContextValues, type Interceptor } from '@connectrpc/connect';
import { compressionBrotli, compressionGzip, universalRequestFromNodeRequest, universalResponseToNodeResponse } from '@connectrpc/connect-node';
import { createAsyncIterable, readAllBytes, type Compression, type UniversalHandler, type UniversalServerResponse } from '@connectrpc/connect/protocol';
import { errorFromJsonBytes, errorToJsonBytes } from '@connectrpc/connect/protocol-connect';
import type { Logger } from '@feedmesh/telemetry';
import type { AdmissionWaiter, CallSample, RefusalReason } from './admission.js';
import type { CallPolicy } from './call-policy.js';
import { connectCallStateKey, createKitInterceptor, type ConnectCallState } from './connect-interceptor.js';
import { invalidArgument } from './errors.js';
import { jsonFieldViolation, type JsonDecodeOptions } from './json-field-path.js';
import { closeAfterResponse, messageTooLarge } from './request-limits.js';
import type { ServiceRegistration } from './service-registration.js';

export interface ConnectHttpOptions {
  services: ServiceRegistration[];
  /** Run before the kit's own (tracing). */
  interceptors: Interceptor[];
  policy: CallPolicy;
  rejectUnknownFields: boolean;
  logger: Logger;
}

const acceptedTypes = 'application/json, application/proto';

/**
 * The Connect adapter: Connect (JSON, binary and GET) over HTTP/1.1, on connect-es's protocol
 * handlers, each call served through the kit's call policy (call-policy.ts; its steps after
 * decoding run in the kit's interceptor). Around connect-es the kit adds what connect-node's
 * adapter leaves to the app: admission (load shedding) before
 * the body is read, a body limit that also holds for chunked bodies, decoding failures answered
 * as InvalidArgument (as on the gRPC path), and a Connect error body on every refusal.
 * gRPC and gRPC-Web are not served here: gRPC arrives over HTTP/2 at grpc-js.
 */
export function createConnectHttpHandler(options: ConnectHttpOptions): (req: IncomingMessage, res: ServerResponse) => void {
  const { policy, logger } = options;
  const { admission, maxMessageBytes: limit } = policy;
  const router = createConnectRouter({
    grpc: false,
    grpcWeb: false,
    interceptors: [...options.interceptors, createKitInterceptor(policy)],
    readMaxBytes: limit,
    acceptCompression: [compressionGzip, compressionBrotli].map((c) => callerFaultDecompression(c)),
    jsonOptions: {
      ignoreUnknownFields: !options.rejectUnknownFields,
      // Fatal: JSON that is not UTF-8 is a bad request, not a string with U+FFFD in it. connect-es
      // reads this option although its type omits it (connect-encodings.test.ts pins it).
      ...({ textDecoder: new TextDecoder('utf-8', { fatal: true }) } as object),
    },
  });
  for (const { service, impl } of options.services) router.service(service, impl as never);
  const handlers = new Map(router.handlers.map((h) => [h.requestPath, h]));
  const jsonDecode: JsonDecodeOptions = { ignoreUnknownFields: !options.rejectUnknownFields };

  /** Serves an admitted call: it holds a slot. */
  const serve = (handler: UniversalHandler, req: IncomingMessage, res: ServerResponse, state: ConnectCallState): void => {
    // connect-node needs an authority; HTTP/1.0 requests may come without a Host header.
    req.headers.host ??= 'localhost';
    const uReq = universalRequestFromNodeRequest(req, res, undefined, createContextValues().set(connectCallStateKey, state));
    // A JSON request's text is kept until its answer: a decoding failure is mapped to the field.
    const json = isJsonRequest(req) ? { chunks: [] as Uint8Array[] } : undefined;
    const body = limitedBody(uReq.body as AsyncIterable<Uint8Array>, limit, res, json?.chunks);
    // The slot is held until the handler is done and the response is gone (written or the
    // connection closed). Not on universalResponseToNodeResponse's promise: it waits for an
    // 'end' event that a ServerResponse never emits, so it never settles.
    const admittedAt = performance.now();
    // Capped at MAX_DEADLINE_MS on arrival; the admission queue's wait is already taken off.
    const budgetMs = Number(req.headers['connect-timeout-ms']);
    let sample: CallSample | undefined;
    let pending = 2;
    const done = () => {
      if (--pending === 0) admission.release(sample);
    };
    if (res.closed) done();
    else res.once('close', done);
    const answered = handler({ ...uReq, body }).then((uRes) => {
      // Only calls that did their work tell the adaptive limit how fast the app is (504: deadline).
      if (uRes.status === 200 || uRes.status === 504) sample = { rttMs: performance.now() - admittedAt, budgetMs };
      return publicResponse(uRes, handler, state.reached, json && (() => jsonText(req, json.chunks, limit)), jsonDecode);
    });
    answered.then(done, done);
    answered
      .then((uRes) => universalResponseToNodeResponse(uRes, res))
      .catch((reason: unknown) => {
        if (ConnectError.from(reason).code !== Code.Aborted) logger.error({ err: reason, method: handler.method.name }, 'writing a Connect response failed');
        res.destroy();
      });
  };

  return (req, res) => {
    const path = req.url?.split('?', 1)[0] ?? '';
    const handler = handlers.get(path);
    if (!handler) return sendError(res, 404, new ConnectError(`no method ${path} here`, Code.Unimplemented));
    if (req.method === 'GET' && !validGetMessage(req.url!)) {
      return sendError(res, 400, new ConnectError('message: not valid base64', Code.InvalidArgument, { 'x-field-violation': 'message' }));
    }
    const state: ConnectCallState = { reached: false, callerDeadline: capTimeout(req, policy) };
    if (admission.tryAcquire()) return serve(handler, req, res, state);
    const started = performance.now();
    const shed = (reason: RefusalReason) => {
      if (reason === 'abandoned') return;
      const refusal = policy.method(handler.method, 'connect').refused(reason, (performance.now() - started) / 1000);
      // The unread body is dumped by Node after the response: the connection stays usable.
      sendError(res, 429, refusal);
    };
    const waiter: AdmissionWaiter = {
      admitted: () => {
        // The wait counts against the caller's deadline, as it does on the gRPC path.
        const timeout = Number(req.headers['connect-timeout-ms']);
        if (timeout > 0) req.headers['connect-timeout-ms'] = String(Math.max(1, Math.floor(timeout - (performance.now() - started))));
        serve(handler, req, res, state);
      },
      refused: shed,
      get abandoned() {
        return res.destroyed;
      },
    };
    admission.enqueue(waiter);
  };
}

/**
 * Cuts the caller's `connect-timeout-ms` to MAX_DEADLINE_MS (absent = the cap) before connect-es
 * reads it, so the handler's signal and timeoutMs() honour the cap as on the gRPC path; returns
 * the caller's own deadline.
 */
function capTimeout(req: IncomingMessage, policy: CallPolicy): number | undefined {
  const now = Date.now();
  const timeout = Number(req.headers['connect-timeout-ms'] ?? NaN);
  const callerDeadline = Number.isFinite(timeout) ? now + timeout : undefined;
  const cappedMs = policy.deadline(callerDeadline, now) - now;
  if (cappedMs !== timeout) req.headers['connect-timeout-ms'] = String(cappedMs);
  return callerDeadline;
}

/** The request body, cut off with InvalidArgument once it passes the limit (chunked bodies have no content-length to check first). */
async function* limitedBody(body: AsyncIterable<Uint8Array>, limit: number, res: ServerResponse, kept?: Uint8Array[]): AsyncIterable<Uint8Array> {
  let total = 0;
  for await (const chunk of body) {
    kept?.push(chunk);
    total += chunk.byteLength;
    if (total > limit) {
      // The rest of the body stays unread: the connection cannot carry another request.
      closeAfterResponse(res);
      throw messageTooLarge(`more than ${limit} bytes`, limit);
    }
    yield chunk;
  }
}

/** Decompression failures are the caller's bytes: InvalidArgument, not connect-node's Internal / ResourceExhausted. */
function callerFaultDecompression(compression: Compression): Compression {
  return {
    name: compression.name,
    compress: (bytes) => compression.compress(bytes),
    decompress: (bytes, readMaxBytes) =>
      compression.decompress(bytes, readMaxBytes).catch((error: unknown) => {
        if (error instanceof ConnectError && error.code === Code.ResourceExhausted) throw messageTooLarge(`more than ${readMaxBytes} bytes once decompressed`, readMaxBytes);
        throw new ConnectError(`request body is not valid ${compression.name} data`, Code.InvalidArgument);
      }),
  };
}

function isJsonRequest(req: IncomingMessage): boolean {
  if (req.method === 'GET') return new URL(req.url!, 'http://localhost').searchParams.get('encoding') === 'json';
  return /^application\/json\b/i.test(req.headers['content-type'] ?? '');
}

/** The JSON text of a request (the body, decompressed, or a GET's message); undefined if it is not UTF-8. */
function jsonText(req: IncomingMessage, chunks: Uint8Array[], limit: number): string | undefined {
  try {
    if (req.method !== 'GET') {
      const body = Buffer.concat(chunks);
      const encoding = req.headers['content-encoding']?.trim().toLowerCase();
      const bytes = encoding === 'gzip' ? gunzipSync(body, { maxOutputLength: limit }) : encoding === 'br' ? brotliDecompressSync(body, { maxOutputLength: limit }) : body;
      return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    }
    const params = new URL(req.url!, 'http://localhost').searchParams;
    const message = params.get('message') ?? '';
    return params.get('base64') === '1' ? new TextDecoder('utf-8', { fatal: true }).decode(base64Decode(message)) : message;
  } catch {
    return undefined;
  }
}

function validGetMessage(url: string): boolean {
  const params = new URL(url, 'http://localhost').searchParams;
  if (params.get('base64') !== '1') return true;
  try {
    base64Decode(params.get('message') ?? '');
    return true;
  } catch {
    return false;
  }
}

/**
 * What connect-es answered, fit for callers: its bodiless 404/405/415 get a Connect error body,
 * and a failure before the handler ran (decoding the message) is the caller's: connect-es calls
 * a malformed binary message Internal ("parse binary: premature EOF"); gRPC and we say
 * InvalidArgument. JSON protobuf-es refuses is InvalidArgument naming the field (`x-field-violation`).
 */
async function publicResponse(
  uRes: UniversalServerResponse,
  handler: UniversalHandler,
  reached: boolean,
  json: (() => string | undefined) | undefined,
  options: JsonDecodeOptions,
): Promise<UniversalServerResponse> {
  if (uRes.status < 400) return uRes;
  if (!uRes.body) {
    const header = new Headers(uRes.header);
    if (uRes.status === 415) header.set('accept-post', acceptedTypes);
    if (uRes.status === 405) header.set('allow', handler.allowedMethods.join(', '));
    const message =
      uRes.status === 415
        ? `unsupported content-type or encoding; send application/json or application/proto (GET: ?encoding=json or ?encoding=proto)`
        : uRes.status === 405
          ? `HTTP method not allowed; use ${handler.allowedMethods.join(' or ')}`
          : `HTTP status ${uRes.status}`;
    return errorResponse(uRes.status, new ConnectError(message, Code.Unimplemented), header);
  }
  if (reached || (uRes.status !== 500 && !(uRes.status === 400 && json))) return uRes;
  const error = errorFromJsonBytes(await readAllBytes(uRes.body, 1 << 20), undefined, new ConnectError('request failed', Code.Unknown));
  if (uRes.status === 400) {
    // protobuf-es refused the JSON: name the field, as the message checks do for what decodes.
    const text = json!();
    const violation = text === undefined ? undefined : jsonFieldViolation(handler.method.input, text, options);
    return errorResponse(400, violation ? invalidArgument(violation.field, violation.reason) : error, uRes.header);
  }
  const detail = error.rawMessage.replace(/^parse binary: /, '');
  return errorResponse(400, new ConnectError(`malformed ${handler.method.input.typeName}: ${detail}`, Code.InvalidArgument), uRes.header);
}

function errorResponse(status: number, error: ConnectError, header?: Headers): UniversalServerResponse {
  const body = errorToJsonBytes(error, {});
  const h = new Headers(header);
  error.metadata.forEach((value, key) => h.set(key, value));
  h.set('content-type', 'application/json');
  h.set('content-length', String(body.byteLength));
  return { status, header: h, body: createAsyncIterable([body]) };
}

/** A Connect error response written directly, for refusals before connect-es sees the request. */
export function sendError(res: ServerResponse, status: number, error: ConnectError): void {
  if (res.headersSent) return void res.destroy();
  const body = errorToJsonBytes(error, {});
  const headers: Record<string, string> = { 'content-type': 'application/json', 'content-length': String(body.byteLength) };
  error.metadata.forEach((value, key) => (headers[key] = value));
  res.writeHead(status, headers);
  res.end(body);
}
