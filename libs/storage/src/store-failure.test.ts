import { describe, expect, it } from 'vitest';
import { isConnectionLoss, storeFailureKind } from './store-failure.js';

const withCode = (code: string, message = 'x') => Object.assign(new Error(message), { code });

describe('isConnectionLoss', () => {
  it('is the connection going away: terminated, shut down, reset, refused, connection exceptions', () => {
    for (const code of ['57P01', '57P02', '57P03', '08006', 'ECONNRESET', 'ECONNREFUSED', 'EPIPE']) expect(isConnectionLoss(withCode(code)), code).toBe(true);
    expect(isConnectionLoss(new Error('Connection terminated unexpectedly'))).toBe(true);
  });

  it('is not a statement timeout, a busy pool, a collision or a bad statement, although some are "unavailable"', () => {
    expect(storeFailureKind(withCode('57014'))).toBe('unavailable');
    expect(isConnectionLoss(withCode('57014'))).toBe(false);
    expect(isConnectionLoss(new Error('timeout exceeded when trying to connect'))).toBe(false);
    for (const code of ['40001', '23505', '42601']) expect(isConnectionLoss(withCode(code)), code).toBe(false);
    expect(isConnectionLoss('Connection terminated')).toBe(false);
  });
});

describe('storeFailureKind', () => {
  it('is unavailable when the client gave up waiting for an answer (a silent connection: pg-pool.ts query_timeout)', () => {
    expect(storeFailureKind(new Error('Query read timeout'))).toBe('unavailable');
    expect(storeFailureKind(new Error('syntax error at or near "Query read timeout"'))).toBeUndefined();
  });
});
