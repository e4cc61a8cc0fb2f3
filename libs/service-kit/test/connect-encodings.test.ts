import { brotliCompressSync } from 'node:zlib';
import type { SpawnedApp } from '@feedmesh/service-kit';
import type { ServiceError } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectJson } from './support/connect-json.js';
import { startLeaf } from './support/fixture-apps.js';
import { RawConnection } from './support/raw-http.js';
import { rawUnary } from './support/standard-grpc.js';

// Connect binary, GET and the transport around the message: bytes that gRPC answers with
// InvalidArgument get InvalidArgument on Connect too, and an unsupported request shape gets
// a Connect error body with a code, never internal/unknown, and never takes the app down.
let leaf: SpawnedApp;
let smallLeaf: SpawnedApp;

beforeAll(async () => {
  [leaf, smallLeaf] = await Promise.all([startLeaf(), startLeaf({ MAX_MESSAGE_BYTES: '1024' })]);
});

afterAll(async () => {
  await Promise.all([leaf?.stop(), smallLeaf?.stop()]);
});

const rankPath = '/feedmesh.ranking.v1.RankingService/Rank';
const rankUrl = (port: number, query = '') => `http://127.0.0.1:${port}${rankPath}${query}`;

async function expectServing(app: SpawnedApp): Promise<void> {
  const after = await connectJson(app.port, rankPath.slice(1), { userId: 'u1' });
  expect(after).toMatchObject({ status: 200, body: { modelVersion: 'echo-1' } });
}

async function postProto(port: number, bytes: Uint8Array, headers: Record<string, string> = {}) {
  const response = await fetch(rankUrl(port), { method: 'POST', headers: { 'content-type': 'application/proto', ...headers }, body: bytes });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

const malformed: Array<{ name: string; bytes: Uint8Array }> = [
  // Field 1 (user_id) claims 100 bytes; two follow.
  { name: 'premature EOF', bytes: Uint8Array.from([0x0a, 0x64, 0x61, 0x62]) },
  { name: 'illegal tag (wire type 7)', bytes: Uint8Array.from([0x0f]) },
  { name: 'invalid UTF-8 in a string', bytes: Uint8Array.from([0x0a, 0x02, 0xff, 0xfe]) },
  // Deep enough to exhaust a recursive decoder, short enough for a GET URL (Node allows 16 KiB of headers).
  { name: 'unterminated groups nested 8,000 deep', bytes: new Uint8Array(8_000).fill(0x0b) },
];

describe.each(malformed)('malformed protobuf: $name', ({ bytes }) => {
  it('is InvalidArgument over gRPC', async () => {
    const error = await rawUnary(leaf.address, rankPath, bytes).then(
      () => undefined,
      (e: ServiceError) => e,
    );
    expect(error).toMatchObject({ code: 3, details: expect.stringMatching(/^malformed feedmesh\.ranking\.v1\.RankRequest: /) });
  });

  it('is invalid_argument over Connect binary (POST application/proto)', async () => {
    const response = await postProto(leaf.port, bytes);
    expect(response).toMatchObject({ status: 400, body: { code: 'invalid_argument', message: expect.stringMatching(/^malformed feedmesh\.ranking\.v1\.RankRequest: /) } });
    await expectServing(leaf);
  });

  it('is invalid_argument over Connect GET (?encoding=proto&base64=1)', async () => {
    const message = Buffer.from(bytes).toString('base64url');
    const response = await fetch(rankUrl(leaf.port, `?encoding=proto&base64=1&message=${message}`));
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ code: 'invalid_argument', message: expect.stringMatching(/^malformed feedmesh\.ranking\.v1\.RankRequest: /) });
    await expectServing(leaf);
  });
});

describe('the transport around the message', () => {
  it('GET with a message that is not base64 is invalid_argument', async () => {
    const response = await fetch(rankUrl(leaf.port, '?encoding=proto&base64=1&message=!!!'));
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ code: 'invalid_argument' });
  });

  it('JSON that is not UTF-8 is invalid_argument', async () => {
    const response = await fetch(rankUrl(leaf.port), { method: 'POST', headers: { 'content-type': 'application/json' }, body: Buffer.from('{"userId":"\xff"}', 'latin1') });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ code: 'invalid_argument', message: expect.stringMatching(/utf-8/i) });
  });

  it.each(['gzip', 'br'])('a %s body that does not decompress is invalid_argument', async (encoding) => {
    const response = await postProto(leaf.port, Uint8Array.from([1, 2, 3, 4]), { 'content-encoding': encoding });
    expect(response).toMatchObject({ status: 400, body: { code: 'invalid_argument' } });
    await expectServing(leaf);
  });

  it('a compressed body beyond MAX_MESSAGE_BYTES once decompressed is invalid_argument naming the limit', async () => {
    const bomb = brotliCompressSync(Buffer.from(JSON.stringify({ userId: 'x'.repeat(100_000) })));
    const response = await fetch(rankUrl(smallLeaf.port), { method: 'POST', headers: { 'content-type': 'application/json', 'content-encoding': 'br' }, body: bomb });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ code: 'invalid_argument', message: expect.stringMatching(/limit is 1024/) });
  });

  it('an unknown content-encoding is unimplemented', async () => {
    const response = await postProto(leaf.port, Uint8Array.from([]), { 'content-encoding': 'zstd' });
    expect(response).toMatchObject({ status: 501, body: { code: 'unimplemented' } });
  });

  it.each([
    ['text/plain', 'x'],
    ['application/json; charset=latin1', '{}'],
    ['application/grpc', ''],
    ['application/grpc-web+proto', ''],
    ['application/connect+json', ''],
    ['application/xml', '<a/>'],
  ])('content-type %s is 415 with a Connect error body (unimplemented)', async (contentType, body) => {
    const response = await fetch(rankUrl(leaf.port), { method: 'POST', headers: { 'content-type': contentType }, body });
    expect(response.status).toBe(415);
    expect(response.headers.get('accept-post')).toBe('application/json, application/proto');
    expect(await response.json()).toMatchObject({ code: 'unimplemented', message: expect.stringContaining('application/json or application/proto') });
    await expectServing(leaf);
  });

  it('no content-type at all is 415 with a Connect error body', async () => {
    const response = await fetch(rankUrl(leaf.port), { method: 'POST', body: new Uint8Array([1]) });
    expect(response.status).toBe(415);
    expect(await response.json()).toMatchObject({ code: 'unimplemented' });
  });

  it('GET without an encoding is 415 with a Connect error body', async () => {
    const response = await fetch(rankUrl(leaf.port));
    expect(response.status).toBe(415);
    expect(await response.json()).toMatchObject({ code: 'unimplemented' });
  });

  it('an HTTP method other than POST and GET is 405 with a Connect error body', async () => {
    const response = await fetch(rankUrl(leaf.port), { method: 'PUT', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toMatch(/POST/);
    expect(await response.json()).toMatchObject({ code: 'unimplemented' });
  });

  it('an unknown method is 404 with a Connect error body (unimplemented)', async () => {
    const response = await fetch(`http://127.0.0.1:${leaf.port}/feedmesh.ranking.v1.RankingService/Nope`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ code: 'unimplemented' });
  });

  it('an HTTP/1.0 request without a Host header is answered and does not take the app down', async () => {
    const raw = await RawConnection.open(leaf.port);
    raw.write(`POST ${rankPath} HTTP/1.0\r\ncontent-type: application/json\r\ncontent-length: 15\r\n\r\n{"userId":"u1"}`);
    const [response] = await raw.responses(1);
    raw.close();
    expect(response.status).toBe(200);
    expect(JSON.parse(response.body)).toMatchObject({ modelVersion: 'echo-1' });
    await expectServing(leaf);
  });
});

describe('an oversized body (MAX_MESSAGE_BYTES 1024)', () => {
  const head = (extra: string) => `POST ${rankPath} HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\n${extra}\r\n`;

  it('sent chunked (no content-length) is invalid_argument naming the limit, and the connection is closed', async () => {
    const raw = await RawConnection.open(smallLeaf.port);
    // Never finished: a server that waits for the end of the body would answer nothing.
    raw.write(head('transfer-encoding: chunked\r\n') + `800\r\n${'x'.repeat(0x800)}\r\n`);
    const [response] = await raw.responses(1);
    expect(response.status).toBe(400);
    expect(response.headers.connection).toBe('close');
    expect(JSON.parse(response.body)).toEqual({ code: 'invalid_argument', message: 'request message is more than 1024 bytes; the limit is 1024' });
    expect(await raw.closedWithin(2_000)).toBe(true);
    await expectServing(smallLeaf);
  });

  it('with a content-length is answered the same, before the body is read', async () => {
    const raw = await RawConnection.open(smallLeaf.port);
    raw.write(head('content-length: 5000\r\n'));
    const [response] = await raw.responses(1);
    expect(response.status).toBe(400);
    expect(response.headers.connection).toBe('close');
    expect(JSON.parse(response.body)).toEqual({ code: 'invalid_argument', message: 'request message is 5000 bytes; the limit is 1024' });
    expect(await raw.closedWithin(2_000)).toBe(true);
    await expectServing(smallLeaf);
  });

  it('sent chunked to a plain HTTP route that reads it with readLimitedBody is answered, and the connection closed', async () => {
    const raw = await RawConnection.open(smallLeaf.port);
    raw.write(`POST /body-length HTTP/1.1\r\nhost: x\r\ntransfer-encoding: chunked\r\n\r\n800\r\n${'x'.repeat(0x800)}\r\n`);
    const [response] = await raw.responses(1);
    expect(response.status).toBe(400);
    expect(response.headers.connection).toBe('close');
    expect(JSON.parse(response.body)).toEqual({ message: 'request message is more than 1024 bytes; the limit is 1024' });
    expect(await raw.closedWithin(2_000)).toBe(true);
    const within = await fetch(`http://127.0.0.1:${smallLeaf.port}/body-length`, { method: 'POST', body: 'x'.repeat(1000) });
    expect(await within.json()).toEqual({ length: 1000 });
  });

  it('a body within the limit keeps the connection open for the next request', async () => {
    const raw = await RawConnection.open(smallLeaf.port);
    const body = '{"userId":"u1"}';
    raw.write(head('transfer-encoding: chunked\r\n') + `${body.length.toString(16)}\r\n${body}\r\n0\r\n\r\n`);
    raw.write(head(`content-length: ${body.length}\r\n`) + body);
    const responses = await raw.responses(2);
    raw.close();
    expect(responses.map((r) => r.status)).toEqual([200, 200]);
  });
});
