import { Code, ConnectError, createContextValues, type HandlerContext } from '@connectrpc/connect';
import { describe, expect, it } from 'vitest';
import { debugAccessFromSetting } from './debug-access.js';

const ctx = { values: createContextValues() } as HandlerContext;

describe('debugAccessFromSetting', () => {
  it('lets every caller see debug output when allowed', () => {
    expect(() => debugAccessFromSetting('allow').check(ctx)).not.toThrow();
  });

  it('answers PermissionDenied naming debug when denied', () => {
    const error = (() => {
      try {
        debugAccessFromSetting('deny').check(ctx);
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(ConnectError);
    expect((error as ConnectError).code).toBe(Code.PermissionDenied);
    expect((error as ConnectError).rawMessage).toMatch(/^debug: /);
  });
});
