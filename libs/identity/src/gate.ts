import { Code, ConnectError } from '@connectrpc/connect';
import { anonymousCaller, describeCaller, type Caller } from './caller.js';
import type { TokenVerifier } from './token-verifier.js';

/** The kit's auth step for one kind of service: the caller an `authorization` header proves. */
export interface Gate {
  /** Unauthenticated (nothing is done) for a missing or bad credential; PermissionDenied for a caller of the wrong kind. */
  authenticate(authorization: string | undefined): Caller | Promise<Caller>;
}

/** Authentication off: every caller is anonymous. */
export const openGate: Gate = { authenticate: () => anonymousCaller };

export interface TokenGateOptions {
  /** What the gate's services serve, for error messages: "FeedService", "the mesh". */
  what: string;
  /** Only service callers holding this scope pass (mesh services: the mesh peer scope). */
  requiredServiceScope?: string;
}

/** Bearer tokens, checked by `verifier`. */
export function tokenGate(verifier: TokenVerifier, options: TokenGateOptions): Gate {
  const admit = (caller: Caller): Caller => {
    const scope = options.requiredServiceScope;
    if (scope && !(caller.kind === 'service' && caller.scopes.has(scope))) {
      throw new ConnectError(`${describeCaller(caller)} may not call ${options.what}: it needs a service token with scope ${scope}`, Code.PermissionDenied);
    }
    return caller;
  };
  return {
    authenticate(authorization) {
      const token = bearerToken(authorization);
      const caller = verifier.verify(token);
      return caller instanceof Promise ? caller.then(admit) : admit(caller);
    },
  };
}

/** The token of an `authorization: Bearer <token>` header (RFC 6750 §2.1; the scheme is case-insensitive). */
export function bearerToken(authorization: string | undefined): string {
  if (!authorization) throw new ConnectError('authorization: missing; send `authorization: Bearer <token>` with an end-user or service token', Code.Unauthenticated);
  const match = /^bearer +([A-Za-z0-9\-._~+/]+=*)$/i.exec(authorization.trim());
  if (!match) throw new ConnectError('authorization: not a Bearer token; send `authorization: Bearer <token>`', Code.Unauthenticated);
  return match[1]!;
}
