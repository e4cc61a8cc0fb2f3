import { SignJWT } from 'jose';
import { ACT_AS_USER_SCOPE } from './caller.js';

export interface MintOptions {
  issuer?: string;
  audience?: string;
  /** Lifetime; default one hour. */
  ttlSeconds?: number;
}

/** An end user's HS256 token: its subject is the user id. For development keys and tests; production tokens come from the identity provider. */
export function mintUserToken(secret: string, userId: string, options: MintOptions = {}): Promise<string> {
  return sign(secret, { sub: userId }, options);
}

/** A trusted service's HS256 token (`client_id` = `sub` = its name); by default it may act for any user. */
export function mintServiceToken(secret: string, name: string, scopes: readonly string[] = [ACT_AS_USER_SCOPE], options: MintOptions = {}): Promise<string> {
  return sign(secret, { sub: name, client_id: name, scope: scopes.join(' ') }, options);
}

function sign(secret: string, claims: Record<string, string>, options: MintOptions): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setIssuer(options.issuer ?? 'feedmesh')
    .setAudience(options.audience ?? 'feedmesh')
    .setIssuedAt(now)
    .setExpirationTime(now + (options.ttlSeconds ?? 3_600))
    .sign(new TextEncoder().encode(secret));
}
