import { base64Encode } from '@bufbuild/protobuf/wire';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { binaryCaseArbitrary, decodesAs, type Expectation } from './binary-case.js';
import type { FuzzTarget, Protocol } from './fuzz-targets.js';
import type { SizeLimits } from './hostile-values.js';
import { jsonCaseArbitrary } from './json-case.js';
import type { ShapeContext } from './message-arbitrary.js';
import { printBytes, printString } from './printing.js';

/** One request as it goes on the wire, and what it asks of the answer. */
export interface WireCase {
  readonly protocol: Protocol;
  readonly target: FuzzTarget;
  /** gRPC: the message bytes. HTTP: method, path with query, headers and body. */
  readonly grpcBody?: Uint8Array;
  readonly http?: { method: 'GET' | 'POST'; pathAndQuery: string; headers: Record<string, string>; body?: Uint8Array };
  readonly change: string;
  readonly expect: Expectation;
  readonly extraNames: readonly string[];
  /** The request's bytes or text, cut for reports. */
  readonly preview: string;
}

/** Header changes on the POST protocols: wrong content types and content encodings. */
type Envelope =
  | { kind: 'plain' }
  | { kind: 'content-type'; value: string }
  | { kind: 'gzip'; valid: boolean }
  | { kind: 'encoding'; value: string };

const wrongContentTypes = ['text/plain', 'application/x-www-form-urlencoded', 'application/grpc', 'application/grpc-web+proto', 'application/json; charset=utf-16', 'multipart/form-data; boundary=x', 'application/proto+json', ''];

const envelopeArbitrary: fc.Arbitrary<Envelope> = fc.oneof(
  { weight: 16, arbitrary: fc.constant<Envelope>({ kind: 'plain' }) },
  { weight: 1, arbitrary: fc.constantFrom(...wrongContentTypes).map((value): Envelope => ({ kind: 'content-type', value })) },
  { weight: 1, arbitrary: fc.boolean().map((valid): Envelope => ({ kind: 'gzip', valid })) },
  { weight: 1, arbitrary: fc.constantFrom('br', 'x-unknown', 'gzip, gzip').map((value): Envelope => ({ kind: 'encoding', value })) },
);

type GetVariant = 'base64url' | 'base64std' | 'base64-bad-char' | 'no-base64' | 'no-message';

export function wireCaseArbitrary(target: FuzzTarget, protocol: Protocol, ctx: ShapeContext): fc.Arbitrary<WireCase> {
  const schema = target.method.input;
  const limits: SizeLimits = protocol.startsWith('get') ? { hugeString: 2_000, hugeList: 200 } : { hugeString: 300_000, hugeList: 6_000 };
  const path = `/${target.service.typeName}/${target.method.name}`;
  const base = { protocol, target, extraNames: [] as readonly string[] };
  switch (protocol) {
    case 'grpc':
      return binaryCaseArbitrary(schema, ctx, limits).map((c) => ({ ...base, grpcBody: c.bytes, change: c.change, expect: c.expect, preview: printBytes(c.bytes) }));
    case 'connect-proto':
    case 'connect-json': {
      const cases = protocol === 'connect-proto'
        ? binaryCaseArbitrary(schema, ctx, limits).map((c) => ({ body: c.bytes, change: c.change, expect: c.expect, extraNames: [] as readonly string[], preview: printBytes(c.bytes) }))
        : jsonCaseArbitrary(schema, ctx, limits).map((c) => ({ body: c.body, change: c.change, expect: c.expect, extraNames: c.extraNames, preview: printString(c.text) }));
      const contentType = protocol === 'connect-proto' ? 'application/proto' : 'application/json';
      return fc.tuple(cases, envelopeArbitrary).map(([c, envelope]) => {
        const headers: Record<string, string> = { 'content-type': contentType };
        let body = c.body;
        let expect = c.expect;
        let change = c.change;
        if (envelope.kind === 'content-type') {
          headers['content-type'] = envelope.value;
          expect = 'any';
          change += `; sent as content-type ${printString(envelope.value)}`;
        } else if (envelope.kind === 'gzip') {
          headers['content-encoding'] = 'gzip';
          if (envelope.valid) body = gzipSync(body);
          else expect = 'malformed';
          change += envelope.valid ? '; gzip-compressed' : '; content-encoding gzip on an uncompressed body';
        } else if (envelope.kind === 'encoding') {
          headers['content-encoding'] = envelope.value;
          expect = 'any';
          change += `; content-encoding ${printString(envelope.value)}`;
        }
        return { ...base, extraNames: c.extraNames, http: { method: 'POST' as const, pathAndQuery: path, headers, body }, change, expect, preview: c.preview };
      });
    }
    case 'get-proto':
      return fc
        .tuple(binaryCaseArbitrary(schema, ctx, limits), fc.constantFrom<GetVariant>('base64url', 'base64url', 'base64url', 'base64url', 'base64std', 'base64-bad-char', 'no-base64', 'no-message'))
        .map(([c, variant]) => {
          const { query, expect } = getProtoQuery(c.bytes, variant, c.expect, schema);
          return { ...base, http: { method: 'GET' as const, pathAndQuery: `${path}?${query}`, headers: {} }, change: `${c.change}; GET ${variant}`, expect, preview: printBytes(c.bytes) };
        });
    case 'get-json':
      return jsonCaseArbitrary(schema, ctx, limits).map((c) => ({
        ...base,
        extraNames: c.extraNames,
        http: { method: 'GET' as const, pathAndQuery: `${path}?connect=v1&encoding=json&message=${percentEncode(c.body)}`, headers: {} },
        change: c.change,
        expect: c.expect,
        preview: printString(c.text),
      }));
  }
}

function getProtoQuery(bytes: Uint8Array, variant: GetVariant, expect: Expectation, schema: Parameters<typeof decodesAs>[0]): { query: string; expect: Expectation } {
  const q = (message: string, base64 = true) => `connect=v1&encoding=proto${base64 ? '&base64=1' : ''}&message=${message}`;
  switch (variant) {
    case 'base64url':
      return { query: q(base64Encode(bytes, 'url')), expect };
    case 'base64std':
      return { query: q(encodeURIComponent(base64Encode(bytes, 'std'))), expect };
    case 'base64-bad-char': {
      // "!" and "*" are in no base64 alphabet: whatever a lenient decoder makes of them, the
      // result is judged by decoding it the same way.
      const text = `${base64Encode(bytes, 'url')}!*`;
      return { query: q(encodeURIComponent(text)), expect: 'any' };
    }
    case 'no-base64': {
      // Without base64 connect-es reads the parameter as UTF-8 text, so only bytes that are valid
      // UTF-8 arrive unchanged; for the others, no particular answer is owed.
      const arrives = isUtf8(bytes);
      return { query: q(percentEncode(bytes), false), expect: arrives ? (decodesAs(schema, bytes) ? expect : 'malformed') : 'any' };
    }
    case 'no-message':
      return { query: 'connect=v1&encoding=proto&base64=1', expect: 'any' };
  }
}

function isUtf8(bytes: Uint8Array): boolean {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    return true;
  } catch {
    return false;
  }
}

function percentEncode(bytes: Uint8Array): string {
  let out = '';
  for (const b of bytes) out += (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5a) || (b >= 0x61 && b <= 0x7a) ? String.fromCharCode(b) : `%${b.toString(16).padStart(2, '0')}`;
  return out;
}
