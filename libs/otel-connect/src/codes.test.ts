import { Code, ConnectError } from '@connectrpc/connect';
import { describe, expect, it } from 'vitest';
import { codeOfError, grpcStatusCode, isErrorStatus, statusCodeName } from './codes.js';

describe('status codes', () => {
  it('uses the gRPC numbering, with 0 for success', () => {
    expect(grpcStatusCode(undefined)).toBe(0);
    expect(grpcStatusCode(Code.Canceled)).toBe(1);
    expect(grpcStatusCode(Code.NotFound)).toBe(5);
    expect(grpcStatusCode(Code.Unauthenticated)).toBe(16);
  });

  it('names codes the way gRPC does', () => {
    expect(statusCodeName(undefined)).toBe('OK');
    expect(statusCodeName(Code.Canceled)).toBe('CANCELLED');
    expect(statusCodeName(Code.DeadlineExceeded)).toBe('DEADLINE_EXCEEDED');
    expect(statusCodeName(Code.Unauthenticated)).toBe('UNAUTHENTICATED');
  });

  it('counts only server-side failures as errors on a server span', () => {
    const serverErrors = Object.values(Code)
      .filter((code): code is Code => typeof code === 'number')
      .filter((code) => isErrorStatus(code, 'server'))
      .map(statusCodeName);
    expect(serverErrors).toEqual(['UNKNOWN', 'DEADLINE_EXCEEDED', 'UNIMPLEMENTED', 'INTERNAL', 'UNAVAILABLE', 'DATA_LOSS']);
    expect(isErrorStatus(undefined, 'server')).toBe(false);
  });

  it('counts every non-OK outcome as an error on a client span', () => {
    expect(isErrorStatus(Code.NotFound, 'client')).toBe(true);
    expect(isErrorStatus(Code.Canceled, 'client')).toBe(true);
    expect(isErrorStatus(undefined, 'client')).toBe(false);
  });
});

describe('codeOfError', () => {
  it('takes the code of a ConnectError on either side', () => {
    expect(codeOfError(new ConnectError('gone', Code.NotFound), 'server')).toBe(Code.NotFound);
    expect(codeOfError(new ConnectError('gone', Code.NotFound), 'client')).toBe(Code.NotFound);
  });

  it('reports other server errors as the INTERNAL that Connect sends for them', () => {
    expect(codeOfError(new TypeError('bug'), 'server')).toBe(Code.Internal);
  });

  it('reads a client-side abort as CANCELLED', () => {
    expect(codeOfError(new DOMException('stop', 'AbortError'), 'client')).toBe(Code.Canceled);
  });
});
