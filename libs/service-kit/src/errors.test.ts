import { BinaryReader } from '@bufbuild/protobuf/wire';
import { Code, ConnectError } from '@connectrpc/connect';
import { describe, expect, it } from 'vitest';
import { failedPrecondition, fieldError, grpcCodeName, invalidArgument, logFailure, MAX_ERROR_MESSAGE_CHARS, quoted, toPublicError, unavailable } from './errors.js';

describe('error helpers', () => {
  it('fieldError names the field in the message and in x-field-violation, with the code given', () => {
    const error = fieldError(Code.NotFound, 'item_id', 'item x does not exist');
    expect(error.code).toBe(Code.NotFound);
    expect(error.rawMessage).toBe('item_id: item x does not exist');
    expect(error.metadata.get('x-field-violation')).toBe('item_id');
  });

  it('invalidArgument names the field in the message and in x-field-violation', () => {
    const error = invalidArgument('events[3].item_id', 'must be a UUID');
    expect(error.code).toBe(Code.InvalidArgument);
    expect(error.rawMessage).toBe('events[3].item_id: must be a UUID');
    expect(error.metadata.get('x-field-violation')).toBe('events[3].item_id');
  });

  it('invalidArgument carries a google.rpc.BadRequest detail, which can name even an empty key', () => {
    for (const field of ['events[3].item_id', '']) {
      const [detail] = invalidArgument(field, 'is unknown').details as Array<{ type: string; value: Uint8Array }>;
      expect(detail.type).toBe('google.rpc.BadRequest');
      const violation = new BinaryReader(detail.value);
      // field_violations[0] = { field, description }
      violation.tag();
      const inner = new BinaryReader(violation.bytes());
      inner.tag();
      const name = inner.string();
      inner.tag();
      expect([name, inner.string()]).toEqual([field, 'is unknown']);
    }
  });

  it('failedPrecondition and unavailable carry their codes; unavailable says what failed in domain terms', () => {
    expect(failedPrecondition('cursor is from another session')).toMatchObject({ code: Code.FailedPrecondition, rawMessage: 'cursor is from another session' });
    expect(unavailable('ranking: connect ECONNREFUSED', { component: 'ranking' })).toMatchObject({ code: Code.Unavailable, rawMessage: 'ranking is unavailable' });
    expect(unavailable('ranking: connect ECONNREFUSED')).toMatchObject({ code: Code.Unavailable, rawMessage: 'a dependency is unavailable' });
  });

  it('bound what they say, in the message and in the BadRequest detail, saying how long the text was', () => {
    const reason = 'x'.repeat(100_000);
    for (const error of [invalidArgument('sources[0]', reason), fieldError(Code.NotFound, 'item_id', reason), failedPrecondition(reason)]) {
      expect(error.rawMessage.length).toBeLessThan(MAX_ERROR_MESSAGE_CHARS + 40);
      expect(error.rawMessage).toMatch(/x… \(100000 chars\)$/);
    }
    const [detail] = invalidArgument('sources[0]', reason).details as Array<{ value: Uint8Array }>;
    expect(detail!.value.length).toBeLessThan(MAX_ERROR_MESSAGE_CHARS + 60);
    expect(invalidArgument('user_id', 'is required').rawMessage).toBe('user_id: is required');
  });

  it('quoted() quotes a value whole up to 64 characters, and its start and length beyond', () => {
    expect(quoted('trending')).toBe('"trending"');
    expect(quoted('a"b')).toBe('"a\\"b"');
    expect(quoted('y'.repeat(64))).toBe(`"${'y'.repeat(64)}"`);
    expect(quoted('y'.repeat(65))).toBe(`"${'y'.repeat(64)}"… (65 chars)`);
  });
});

describe('toPublicError', () => {
  it('passes errors of the codes that speak about the request through untouched', () => {
    for (const original of [new ConnectError('no such user', Code.NotFound), invalidArgument('user_id', 'is required'), new ConnectError('slow', Code.DeadlineExceeded)]) {
      expect(toPublicError(original)).toEqual({ error: original });
    }
  });

  it("bounds the message of a handler's own ConnectError, keeping its code, metadata and cause", () => {
    const original = new ConnectError(`no user ${'u'.repeat(70_000)}`, Code.NotFound, { 'x-field-violation': 'user_id' });
    const { error, log } = toPublicError(original);
    expect(log).toBeUndefined();
    expect(error).toMatchObject({ code: Code.NotFound, cause: original });
    expect(error.rawMessage).toMatch(/^no user u+… \(70008 chars\)$/);
    expect(error.rawMessage.length).toBeLessThan(MAX_ERROR_MESSAGE_CHARS + 40);
    expect(error.metadata.get('x-field-violation')).toBe('user_id');
  });

  it('masks anything else as an internal error, keeping the cause for the logs only', () => {
    const cause = new Error('password=hunter2 in connection string');
    const { error, log } = toPublicError(cause);
    expect(error.code).toBe(Code.Internal);
    expect(error.rawMessage).toBe('internal error');
    expect(error.message).not.toContain('hunter2');
    expect(log).toEqual({ level: 'error', message: 'unhandled error in handler', detail: cause });
  });

  it('masks thrown non-errors too', () => {
    expect(toPublicError('boom')).toMatchObject({ error: { code: Code.Internal }, log: { detail: 'boom' } });
  });

  it.each([
    [Code.Internal, 'internal error', 'error'],
    [Code.Unknown, 'internal error', 'error'],
    [Code.DataLoss, 'internal error', 'error'],
    [Code.Unavailable, 'a dependency is unavailable', 'warn'],
  ] as const)('replaces the message (and metadata) of a ConnectError with code %s, logging the original', (code, message, level) => {
    const original = new ConnectError("redis: Stream isn't writeable", code, { 'x-host': 'redis-0' });
    const { error, log } = toPublicError(original);
    expect(error).toMatchObject({ code, rawMessage: message });
    expect(error.metadata.get('x-host')).toBeNull();
    expect(log).toMatchObject({ level, detail: original });
  });

  it("keeps the kit's own domain message of unavailable(), logging its detail", () => {
    const cause = new Error('ECONNREFUSED');
    const named = toPublicError(unavailable('session store: ECONNREFUSED 10.0.0.7', { component: 'paging session store', cause }));
    expect(named.error).toMatchObject({ code: Code.Unavailable, rawMessage: 'paging session store is unavailable' });
    expect(named.log).toMatchObject({ level: 'warn', detail: { detail: 'session store: ECONNREFUSED 10.0.0.7', cause } });
    const anonymous = toPublicError(unavailable('session store: ECONNREFUSED 10.0.0.7'));
    expect(anonymous.error.rawMessage).toBe('a dependency is unavailable');
    expect(anonymous.log?.detail).toBe('session store: ECONNREFUSED 10.0.0.7');
  });
});

describe('logFailure', () => {
  it('logs an error under err (for the serializer) and anything else under detail', () => {
    const lines: Array<[string, object, string]> = [];
    const logger = { error: (f: object, m: string) => lines.push(['error', f, m]), warn: (f: object, m: string) => lines.push(['warn', f, m]) };
    const cause = new Error('x');
    logFailure(logger, { level: 'error', message: 'm1', detail: cause }, { method: 'Rank' });
    logFailure(logger, { level: 'warn', message: 'm2', detail: 'text' }, { method: 'Rank' });
    expect(lines).toEqual([
      ['error', { method: 'Rank', err: cause }, 'm1'],
      ['warn', { method: 'Rank', detail: 'text' }, 'm2'],
    ]);
  });
});

describe('grpcCodeName', () => {
  it("uses gRPC's names for Connect's codes", () => {
    expect(grpcCodeName(0)).toBe('OK');
    expect(grpcCodeName(Code.InvalidArgument)).toBe('INVALID_ARGUMENT');
    expect(grpcCodeName(Code.DeadlineExceeded)).toBe('DEADLINE_EXCEEDED');
    expect(grpcCodeName(Code.Unauthenticated)).toBe('UNAUTHENTICATED');
  });

  it('falls back to the number for codes it does not know', () => {
    expect(grpcCodeName(42)).toBe('42');
  });
});
