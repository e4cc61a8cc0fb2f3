import { Code, ConnectError } from '@connectrpc/connect';
import { describe, expect, it } from 'vitest';
import { checkActingUsers } from './acting-user.js';
import type { Caller } from './caller.js';

const user: Caller = { kind: 'user', userId: 'u1' };
const bff: Caller = { kind: 'service', name: 'bff', scopes: new Set(['act_as_user']) };
const reporter: Caller = { kind: 'service', name: 'reporter', scopes: new Set(['read_metrics']) };

function refusal(caller: Caller, named: [string, string][]): ConnectError | undefined {
  try {
    checkActingUsers(caller, named);
    return undefined;
  } catch (error) {
    return ConnectError.from(error);
  }
}

describe('checkActingUsers', () => {
  it('an end user may act as itself only; the refusal names the field', () => {
    expect(refusal(user, [['user_id', 'u1']])).toBeUndefined();
    const error = refusal(user, [['events[0].user_id', 'u1'], ['events[1].user_id', 'u2']]);
    expect(error?.code).toBe(Code.PermissionDenied);
    expect(error?.rawMessage).toBe('events[1].user_id: user u1 may only act as itself, not as "u2"');
    expect(error?.metadata.get('x-field-violation')).toBe('events[1].user_id');
  });

  it('a service with act_as_user may act for anyone; one without it for nobody', () => {
    expect(refusal(bff, [['user_id', 'u1'], ['author_id', 'u99']])).toBeUndefined();
    expect(refusal(reporter, [['user_id', 'u1']])?.rawMessage).toMatch(/service reporter may not act for users; its token needs scope act_as_user/);
  });

  it('with authentication off, nobody is checked', () => {
    expect(refusal({ kind: 'anonymous' }, [['user_id', 'u1']])).toBeUndefined();
  });
});
