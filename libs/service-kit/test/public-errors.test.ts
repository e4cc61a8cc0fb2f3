import type { SpawnedApp } from '@feedmesh/service-kit';
import type * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectJson } from './support/connect-json.js';
import { eventually, logLines, startLeaf } from './support/fixture-apps.js';
import { callUnary, rankingClient } from './support/standard-grpc.js';

// Errors to callers say what failed in domain terms; what a library said (here an ioredis text)
// goes to the log, stamped with the call's trace id, and never over the wire.
let leaf: SpawnedApp;
let ranking: grpc.Client;

beforeAll(async () => {
  leaf = await startLeaf();
  ranking = rankingClient(leaf.address);
});

afterAll(async () => {
  ranking?.close();
  await leaf?.stop();
});

const internalText = "Stream isn't writeable";
const cases = [
  { kind: 'thrown', code: 13, connectCode: 'internal', message: 'internal error' },
  { kind: 'raw-internal', code: 13, connectCode: 'internal', message: 'internal error' },
  { kind: 'unavailable', code: 14, connectCode: 'unavailable', message: 'a dependency is unavailable' },
  { kind: 'raw-unavailable', code: 14, connectCode: 'unavailable', message: 'a dependency is unavailable' },
  { kind: 'unavailable-component', code: 14, connectCode: 'unavailable', message: 'paging session store is unavailable' },
];

async function grpcFailure(userId: string): Promise<grpc.ServiceError> {
  return callUnary(ranking, 'Rank', { userId }).then(
    () => {
      throw new Error('the call succeeded');
    },
    (e: grpc.ServiceError) => e,
  );
}

/** The log line that tells the failure's detail, for the call with this trace id. */
function detailLogged(traceId: string): Record<string, unknown> | undefined {
  return logLines(leaf).find((l) => l.trace_id === traceId && JSON.stringify(l).includes(internalText));
}

describe.each(cases)('a handler failing with $kind', ({ kind, code, connectCode, message }) => {
  it('over gRPC: a domain message, the detail in the log with the trace id', async () => {
    const traceId = 'a'.repeat(31) + String(cases.findIndex((c) => c.kind === kind));
    const error = await callUnary(ranking, 'Rank', { userId: `fail:${kind}` }, { metadata: { traceparent: `00-${traceId}-00f067aa0ba902b7-01` } }).then(
      () => undefined,
      (e: grpc.ServiceError) => e,
    );
    expect(error).toMatchObject({ code, details: message });
    expect(JSON.stringify(error?.metadata.getMap())).not.toContain(internalText);
    await eventually('the detail in the log', () => detailLogged(traceId));
  });

  it('over Connect: a domain message, the detail in the log with the trace id', async () => {
    const traceId = 'b'.repeat(31) + String(cases.findIndex((c) => c.kind === kind));
    const response = await connectJson(leaf.port, 'feedmesh.ranking.v1.RankingService/Rank', { userId: `fail:${kind}` }, { traceparent: `00-${traceId}-00f067aa0ba902b7-01` });
    expect(response.body).toEqual({ code: connectCode, message });
    await eventually('the detail in the log', () => detailLogged(traceId));
  });
});

it('keeps the messages of the other codes, which name the field', async () => {
  const error = await grpcFailure('fail:not-found');
  expect(error).toMatchObject({ code: 5, details: 'user_id: user u9 does not exist' });
  expect(error.metadata.get('x-field-violation')).toEqual(['user_id']);
  const response = await connectJson(leaf.port, 'feedmesh.ranking.v1.RankingService/Rank', { userId: 'fail:not-found' });
  expect(response).toMatchObject({ status: 404, body: { code: 'not_found', message: 'user_id: user u9 does not exist' } });
});

// Over gRPC the message travels in the trailers (twice for InvalidArgument: the BadRequest detail
// repeats it); past 64 KiB a grpc-js client fails the whole connection with "Protocol error",
// taking every other call on it down too. Found by the fuzz suite (sources[0] := 95,224 chars).
describe.each(['huge-reason', 'huge-raw'])('an error quoting a 100,000-character value (%s)', (kind) => {
  it('reaches a gRPC caller bounded, with its code and field, and calls beside it on the connection succeed', async () => {
    const [beside, error] = await Promise.all([callUnary(ranking, 'Rank', { userId: 'sleep:300' }), grpcFailure(`fail:${kind}`)]);
    expect(beside).toBeDefined();
    expect(error.code).toBe(kind === 'huge-reason' ? 3 : 5);
    expect(error.details).toMatch(/^user_id: .*… \(\d+ chars\)$/);
    expect(error.details.length).toBeLessThan(1_100);
    expect(error.metadata.get('x-field-violation')).toEqual(['user_id']);
  });

  it('reaches a Connect caller bounded too', async () => {
    const response = await connectJson(leaf.port, 'feedmesh.ranking.v1.RankingService/Rank', { userId: `fail:${kind}` });
    expect((response.body as { message: string }).message.length).toBeLessThan(1_100);
  });
});
