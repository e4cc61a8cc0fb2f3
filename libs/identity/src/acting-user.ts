import { Code, ConnectError } from '@connectrpc/connect';
import { ACT_AS_USER_SCOPE, type Caller } from './caller.js';

/** The users a request names as the one acting (reading, publishing, following…): [field path, user id]. */
export type NamedUsers = Iterable<readonly [field: string, userId: string]>;

/**
 * A request may only act as its caller: an end user only for itself, a service only with scope
 * act_as_user (then for any user it names), anybody when authentication is off. PermissionDenied
 * names the first field that breaks the rule, in `x-field-violation` as InvalidArgument does.
 */
export function checkActingUsers(caller: Caller, named: NamedUsers): void {
  if (caller.kind === 'anonymous') return;
  if (caller.kind === 'service') {
    if (caller.scopes.has(ACT_AS_USER_SCOPE)) return;
    for (const [field] of named) {
      throw new ConnectError(`${field}: service ${caller.name} may not act for users; its token needs scope ${ACT_AS_USER_SCOPE}`, Code.PermissionDenied, { 'x-field-violation': field });
    }
    return;
  }
  for (const [field, userId] of named) {
    if (userId !== caller.userId) {
      throw new ConnectError(`${field}: user ${caller.userId} may only act as itself, not as ${JSON.stringify(userId)}`, Code.PermissionDenied, { 'x-field-violation': field });
    }
  }
}
