import { Code, ConnectError } from '@connectrpc/connect';
import { createRemoteJWKSet, errors, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import { LRUCache } from 'lru-cache';
import type { Caller } from './caller.js';

export interface TokenVerifierOptions {
  /** HS256 secret (UTF-8). */
  hs256Secret?: string;
  /** An identity provider's JWKS: asymmetric keys, fetched, cached and rotated by jose. */
  jwksUrl?: string;
  issuer: string;
  audience: string;
  /** Clock skew tolerated on exp / nbf / iat, in seconds. */
  clockToleranceSeconds?: number;
}

export interface TokenVerifier {
  /** The caller a token proves; Unauthenticated for a bad token, Unavailable when the JWKS cannot be fetched. */
  verify(token: string): Caller | Promise<Caller>;
}

const asymmetric = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA', 'Ed25519'];

/**
 * Verifies JWTs with jose: signature (HS256 by the shared secret, or a JWKS key by its `kid`;
 * the algorithm is pinned by the key kind, so `alg: none` or an HMAC over a public key never
 * passes), `iss`, `aud`, `exp` and `nbf`. Verified tokens are remembered until they expire (at
 * most a minute), so a caller sending the same token on every call pays the HMAC once.
 */
export function createTokenVerifier(options: TokenVerifierOptions): TokenVerifier {
  if (!options.hs256Secret && !options.jwksUrl) throw new Error('a token verifier needs an HS256 secret or a JWKS URL');
  const secret = options.hs256Secret ? new TextEncoder().encode(options.hs256Secret) : undefined;
  const jwks = options.jwksUrl ? createRemoteJWKSet(new URL(options.jwksUrl), { timeoutDuration: 2_000, cooldownDuration: 30_000 }) : undefined;
  const verifyOptions = { issuer: options.issuer, audience: options.audience, clockTolerance: options.clockToleranceSeconds ?? 30, requiredClaims: ['exp', 'sub'] };
  const verified = new LRUCache<string, Caller>({ max: 10_000, ttl: 60_000, ttlAutopurge: false });

  async function check(token: string): Promise<Caller> {
    let payload: JWTPayload;
    try {
      payload = await verifyWithKeys(token);
    } catch (error) {
      throw verificationError(error);
    }
    const caller = callerOf(payload);
    const untilExpiry = payload.exp! * 1000 - Date.now();
    if (untilExpiry > 0) verified.set(token, caller, { ttl: Math.min(60_000, untilExpiry) });
    return caller;
  }

  async function verifyWithKeys(token: string): Promise<JWTPayload> {
    const alg = headerAlg(token);
    if (alg === 'HS256' && secret) return (await jwtVerify(token, secret, { ...verifyOptions, algorithms: ['HS256'] })).payload;
    if (jwks && alg !== 'HS256') return (await jwtVerify(token, jwks as JWTVerifyGetKey, { ...verifyOptions, algorithms: asymmetric })).payload;
    throw new errors.JOSEAlgNotAllowed(`tokens signed with ${alg || 'no algorithm'} are not accepted here`);
  }

  return {
    verify(token) {
      return verified.get(token) ?? check(token);
    },
  };
}

/** The `alg` of a compact JWS's protected header, without trusting anything else in it. */
function headerAlg(token: string): string {
  try {
    const header = JSON.parse(Buffer.from(token.split('.', 1)[0]!, 'base64url').toString('utf8')) as { alg?: unknown };
    return typeof header.alg === 'string' ? header.alg : '';
  } catch {
    return '';
  }
}

/**
 * A service token names its client (`client_id`, as OAuth's client-credentials access tokens do,
 * RFC 9068 §2.2) and carries scopes; any other token is an end user's, its subject the user id.
 */
function callerOf(payload: JWTPayload): Caller {
  const clientId = payload['client_id'];
  if (typeof clientId === 'string' && clientId !== '') {
    const scope = typeof payload['scope'] === 'string' ? payload['scope'] : '';
    return { kind: 'service', name: clientId, scopes: new Set(scope.split(' ').filter(Boolean)) };
  }
  if (typeof payload.sub !== 'string' || payload.sub === '') throw new ConnectError('authorization: the token has no subject', Code.Unauthenticated);
  return { kind: 'user', userId: payload.sub };
}

function verificationError(error: unknown): ConnectError {
  if (error instanceof ConnectError) return error;
  if (error instanceof errors.JWKSTimeout || (error instanceof TypeError && /fetch/i.test(error.message))) {
    return new ConnectError('authorization: the identity provider\'s keys (AUTH_JWKS_URL) could not be fetched; try again', Code.Unavailable);
  }
  if (error instanceof errors.JWTExpired) return unauthenticated('the token has expired');
  if (error instanceof errors.JWTClaimValidationFailed) return unauthenticated(`the token's claims do not hold (${error.message})`);
  if (error instanceof errors.JWSSignatureVerificationFailed) return unauthenticated('the token\'s signature does not verify');
  if (error instanceof errors.JWKSNoMatchingKey) return unauthenticated('the token was signed with a key the identity provider does not list');
  if (error instanceof errors.JOSEAlgNotAllowed) return unauthenticated(error.message);
  if (error instanceof errors.JOSEError) return unauthenticated(`not a valid token (${error.code})`);
  return unauthenticated('not a valid token');
}

function unauthenticated(reason: string): ConnectError {
  return new ConnectError(`authorization: ${reason}`, Code.Unauthenticated);
}
