import { Code, ConnectError } from '@connectrpc/connect';
import { describe, expect, it } from 'vitest';
import { storeFailure } from './store-errors.js';

const withCode = (message: string, code: string) => Object.assign(new Error(message), { code });

describe('storeFailure', () => {
  it('answers Unavailable for lost, refused and exhausted connections', () => {
    for (const error of [
      new Error('timeout exceeded when trying to connect'),
      new Error('Connection terminated unexpectedly'),
      withCode('terminating connection due to administrator command', '57P01'),
      withCode('the database system is starting up', '57P03'),
      withCode('connection failure', '08006'),
      withCode('connect ECONNREFUSED 127.0.0.1:5432', 'ECONNREFUSED'),
      withCode('canceling statement due to statement timeout', '57014'),
    ]) {
      expect(storeFailure(error)?.code, error.message).toBe(Code.Unavailable);
    }
  });

  it('answers Aborted for deadlocks and serialization failures', () => {
    expect(storeFailure(withCode('deadlock detected', '40P01'))?.code).toBe(Code.Aborted);
  });

  it('leaves other errors alone, ConnectErrors included', () => {
    expect(storeFailure(withCode('syntax error', '42601'))).toBeUndefined();
    expect(storeFailure(new TypeError('x is undefined'))).toBeUndefined();
    expect(storeFailure(new ConnectError('no', Code.NotFound))).toBeUndefined();
  });
});
