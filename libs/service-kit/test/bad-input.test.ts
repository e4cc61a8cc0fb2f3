import { create, toBinary, type MessageInitShape } from '@bufbuild/protobuf';
import { RankRequestSchema, type ItemKind } from '@feedmesh/contracts';
import type { SpawnedApp } from '@feedmesh/service-kit';
import type { ServiceError } from '@grpc/grpc-js';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectJson } from './support/connect-json.js';
import { startLeaf } from './support/fixture-apps.js';
import { rawUnary } from './support/standard-grpc.js';

// Each bad request must fail with InvalidArgument naming what is wrong, and must not disturb
// the app: a good call right after it succeeds.
let leaf: SpawnedApp;
let smallLeaf: SpawnedApp;

beforeAll(async () => {
  [leaf, smallLeaf] = await Promise.all([startLeaf(), startLeaf({ MAX_MESSAGE_BYTES: '1024' })]);
});

afterAll(async () => {
  await Promise.all([leaf?.stop(), smallLeaf?.stop()]);
});

const rankPath = '/feedmesh.ranking.v1.RankingService/Rank';
const connectRank = 'feedmesh.ranking.v1.RankingService/Rank';
const INVALID_ARGUMENT = 3;

function rankBytes(init: MessageInitShape<typeof RankRequestSchema>): Uint8Array {
  return toBinary(RankRequestSchema, create(RankRequestSchema, init));
}
const good = rankBytes({ userId: 'u1', candidates: [{ item: { id: 'i1', kind: 1, authorId: 'a1', createdAtMs: 1n }, sources: ['following'] }] });

async function expectGoodGrpcCall(app: SpawnedApp) {
  await expect(rawUnary(app.address, rankPath, good)).resolves.toBeInstanceOf(Buffer);
}

async function grpcError(app: SpawnedApp, bytes: Uint8Array): Promise<ServiceError> {
  const error = await rawUnary(app.address, rankPath, bytes).then(
    () => undefined,
    (e: ServiceError) => e,
  );
  if (!error) throw new Error('the call succeeded');
  return error;
}

describe('over gRPC (raw bytes from a generic grpc-js client)', () => {
  const cases: Array<{ name: string; bytes: () => Uint8Array; small?: boolean; details: RegExp; field?: string }> = [
    // Field 1 (user_id) claims 100 bytes; two follow.
    { name: 'malformed protobuf', bytes: () => Uint8Array.from([0x0a, 0x64, 0x61, 0x62]), details: /malformed feedmesh\.ranking\.v1\.RankRequest/ },
    {
      name: 'oversized message',
      small: true,
      bytes: () => rankBytes({ userId: 'u1', candidates: [{ item: { id: 'x'.repeat(1400), kind: 1, authorId: 'a1', createdAtMs: 1n } }] }),
      details: /limit is 1024/,
    },
    {
      name: 'unknown enum value in a list of messages',
      bytes: () => rankBytes({ userId: 'u1', candidates: [{ item: { id: 'i1', kind: 99 as ItemKind, authorId: 'a1', createdAtMs: 1n } }] }),
      details: /^candidates\[0\]\.item\.kind: unknown feedmesh\.common\.v1\.ItemKind value 99$/,
      field: 'candidates[0].item.kind',
    },
    {
      // Field 99, varint 1: tag (99 << 3 | 0) = 792 = 0x98 0x06.
      name: 'unknown field',
      bytes: () => Uint8Array.from([...good, 0x98, 0x06, 0x01]),
      details: /unknown field number 99 for feedmesh\.ranking\.v1\.RankRequest/,
      field: '#99',
    },
    { name: 'missing required field', bytes: () => rankBytes({ userId: '' }), details: /^user_id: is required$/, field: 'user_id' },
  ];

  it.each(cases)('$name → InvalidArgument, then keeps serving', async ({ bytes, small, details, field }) => {
    const app = small ? smallLeaf : leaf;
    const error = await grpcError(app, bytes());
    expect(error.code).toBe(INVALID_ARGUMENT);
    expect(error.details).toMatch(details);
    if (field) expect(error.metadata.get('x-field-violation')).toEqual([field]);
    await expectGoodGrpcCall(app);
  });
});

describe('over Connect JSON (HTTP/1.1 fetch)', () => {
  const goodJson = { userId: 'u1', candidates: [{ item: { id: 'i1', kind: 'ITEM_KIND_ARTICLE', authorId: 'a1' } }] };
  const cases: Array<{ name: string; body: string; small?: boolean; message: RegExp; field?: string; get?: boolean; gzip?: boolean }> = [
    { name: 'unknown JSON key', body: '{"userId":"u1","rankingHint":"x"}', message: /^rankingHint: unknown field "rankingHint"/, field: 'rankingHint' },
    { name: 'wrong JSON type', body: '{"userId":5}', message: /^user_id: expected string, got 5$/, field: 'user_id' },
    { name: 'wrong JSON type over GET', get: true, body: '{"userId":"u1","limit":""}', message: /^limit: /, field: 'limit' },
    { name: 'number out of range', body: '{"userId":"u1","limit":4294967296}', message: /^limit: /, field: 'limit' },
    { name: 'malformed JSON', body: '{"userId":', message: /cannot decode message feedmesh\.ranking\.v1\.RankRequest from JSON/ },
    { name: 'unknown enum name', body: '{"userId":"u1","candidates":[{"item":{"kind":"ITEM_KIND_PODCAST"}}]}', message: /^candidates\[0\]\.item\.kind: .*ITEM_KIND_PODCAST/, field: 'candidates[0].item.kind' },
    { name: 'unknown key in a list element', body: '{"userId":"u1","candidates":[{},{"zz":1}]}', message: /^candidates\[1\]\.zz: /, field: 'candidates[1].zz' },
    { name: 'wrong JSON type, gzip-compressed', gzip: true, body: '{"userId":"u1","limit":-1}', message: /^limit: /, field: 'limit' },
    { name: 'duplicate key', body: '{"userId":"u1","userId":"u2"}', message: /^user_id: key "userId" appears more than once$/, field: 'user_id' },
    { name: 'unknown enum number', body: '{"userId":"u1","candidates":[{"item":{"kind":99}}]}', message: /^candidates\[0\]\.item\.kind: unknown feedmesh\.common\.v1\.ItemKind value 99$/, field: 'candidates[0].item.kind' },
    { name: 'missing required field', body: '{"userId":""}', message: /^user_id: is required$/, field: 'user_id' },
    { name: 'oversized message', small: true, body: JSON.stringify({ userId: 'x'.repeat(2000) }), message: /limit is 1024/ },
  ];

  it.each(cases)('$name → invalid_argument naming the field, then keeps serving', async ({ body, small, message, field, get, gzip }) => {
    const app = small ? smallLeaf : leaf;
    const url = `http://127.0.0.1:${app.port}/${connectRank}`;
    const response = get
      ? await fetch(`${url}?encoding=json&message=${encodeURIComponent(body)}`)
      : await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...(gzip && { 'content-encoding': 'gzip' }) }, body: gzip ? gzipSync(body) : body });
    expect(response.status).toBe(400);
    const error = (await response.json()) as { code: string; message: string };
    expect(error.code).toBe('invalid_argument');
    expect(error.message).toMatch(message);
    expect(response.headers.get('x-field-violation')).toBe(field ?? null);
    const after = await connectJson(app.port, connectRank, goodJson);
    expect(after).toMatchObject({ status: 200, body: { modelVersion: 'echo-1' } });
  });
});

describe('an unknown JSON key that is the empty string', () => {
  it('is named by the google.rpc.BadRequest detail (a header cannot carry an empty path)', async () => {
    const response = await fetch(`http://127.0.0.1:${leaf.port}/${connectRank}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"userId":"u1","":1}' });
    expect(response.status).toBe(400);
    const error = (await response.json()) as { code: string; details?: Array<{ type: string; value: string }> };
    expect(error.code).toBe('invalid_argument');
    expect(error.details?.map((d) => d.type)).toEqual(['google.rpc.BadRequest']);
    // field_violations[0] = { field: "", description: … }: the first inner tag is field 1 with length 0.
    const bytes = Buffer.from(error.details![0]!.value, 'base64');
    expect([bytes[0], bytes[2], bytes[3]]).toEqual([0x0a, 0x0a, 0x00]);
  });
});
