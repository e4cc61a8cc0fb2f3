/**
 * Who is calling, as the kit's auth step established it:
 * - `user`: an end user, by a verified token whose subject is the user id;
 * - `service`: a trusted service (a BFF, the load generator, a batch job, or a mesh peer), by a
 *   token naming it (`client_id`, RFC 9068) and carrying scopes;
 * - `anonymous`: nobody checked, because authentication is off (AUTH_MODE=off / MESH_AUTH=off).
 */
export type Caller =
  | { readonly kind: 'user'; readonly userId: string }
  | { readonly kind: 'service'; readonly name: string; readonly scopes: ReadonlySet<string> }
  | { readonly kind: 'anonymous' };

/** The scope that lets a service act for whichever user a request names. */
export const ACT_AS_USER_SCOPE = 'act_as_user';

/** The scope of a mesh peer's token (one app calling another inside the mesh). */
export const MESH_PEER_SCOPE = 'mesh_peer';

export const anonymousCaller: Caller = Object.freeze({ kind: 'anonymous' });

/** A short name for logs and error messages: `user u42`, `service loadgen`, `anonymous caller`. */
export function describeCaller(caller: Caller): string {
  switch (caller.kind) {
    case 'user':
      return `user ${caller.userId}`;
    case 'service':
      return `service ${caller.name}`;
    default:
      return 'anonymous caller';
  }
}

export function isService(caller: Caller): caller is Extract<Caller, { kind: 'service' }> {
  return caller.kind === 'service';
}
