import { Code, ConnectError } from '@connectrpc/connect';
import { describe, expect, it } from 'vitest';
import { failedPrecondition, grpcCodeName, invalidArgument, toConnectError, unavailable } from './errors.js';

describe('error helpers', () => {
  it('invalidArgument names the field in the message and in x-field-violation', () => {
    const error = invalidArgument('events[3].item_id', 'must be a UUID');
    expect(error.code).toBe(Code.InvalidArgument);
    expect(error.rawMessage).toBe('events[3].item_id: must be a UUID');
    expect(error.metadata.get('x-field-violation')).toBe('events[3].item_id');
  });

  it('failedPrecondition and unavailable carry their codes and messages', () => {
    expect(failedPrecondition('cursor is from another session')).toMatchObject({ code: Code.FailedPrecondition, rawMessage: 'cursor is from another session' });
    expect(unavailable('ranking is down')).toMatchObject({ code: Code.Unavailable, rawMessage: 'ranking is down' });
  });
});

describe('toConnectError', () => {
  it('passes ConnectErrors through untouched', () => {
    const original = new ConnectError('no such user', Code.NotFound);
    expect(toConnectError(original)).toEqual({ error: original, internal: false });
  });

  it('masks anything else as an internal error, keeping the cause for the logs only', () => {
    const cause = new Error('password=hunter2 in connection string');
    const { error, internal } = toConnectError(cause);
    expect(internal).toBe(true);
    expect(error.code).toBe(Code.Internal);
    expect(error.rawMessage).toBe('internal error');
    expect(error.message).not.toContain('hunter2');
    expect(error.cause).toBe(cause);
  });

  it('masks thrown non-errors too', () => {
    expect(toConnectError('boom')).toMatchObject({ internal: true, error: { code: Code.Internal } });
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
