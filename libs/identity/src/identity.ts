import type { CleanedEnv } from 'envalid';
import { Code, ConnectError } from '@connectrpc/connect';
import { describeCaller, MESH_PEER_SCOPE, type Caller } from './caller.js';
import { openGate, tokenGate, type Gate } from './gate.js';
import type { identityEnvSpec } from './identity-env.js';
import { MESH_TOKEN_AUDIENCE, MESH_TOKEN_ISSUER, MeshCredentials, setProcessMeshCredentials } from './mesh-credentials.js';
import { createTokenVerifier, type TokenVerifier } from './token-verifier.js';

export type IdentityEnv = CleanedEnv<typeof identityEnvSpec>;

/** The gates of one app, built from its settings once at start. */
export interface Identity {
  /** Edge services (FeedService, IngestService): end users and trusted services. */
  readonly edge: Gate;
  /** Mesh services (recall, ranking, render): only the mesh's own apps. */
  readonly mesh: Gate;
  /** gRPC reflection: anyone, service callers only, or nobody ('off': not served). */
  readonly reflection: Gate | 'off';
  /** Throws when AUTH_MODE=jwt has no key to verify with: called by apps that serve an edge service. */
  requireEdgeKeys(): void;
  close(): void;
}

export interface IdentityOptions {
  /** The app's name: the subject of its mesh token. */
  appName: string;
}

/**
 * The app's gates and, with MESH_AUTH=token, its own mesh credentials (set for the process, so
 * the kit's clients carry them). A setting that cannot work is refused at start.
 */
export async function createIdentity(env: IdentityEnv, options: IdentityOptions): Promise<Identity> {
  const edgeVerifier = env.AUTH_MODE === 'jwt' && (env.AUTH_TOKEN_SECRET || env.AUTH_JWKS_URL)
    ? createTokenVerifier({ hs256Secret: env.AUTH_TOKEN_SECRET, jwksUrl: env.AUTH_JWKS_URL, issuer: env.AUTH_ISSUER, audience: env.AUTH_AUDIENCE })
    : undefined;
  if (env.MESH_AUTH === 'token' && !env.MESH_TOKEN_SECRET) throw new Error('MESH_AUTH=token needs MESH_TOKEN_SECRET, the secret every app of the mesh shares');

  const meshVerifier = env.MESH_AUTH === 'token' ? createTokenVerifier({ hs256Secret: env.MESH_TOKEN_SECRET, issuer: MESH_TOKEN_ISSUER, audience: MESH_TOKEN_AUDIENCE }) : undefined;
  const credentials = meshVerifier ? await MeshCredentials.create(env.MESH_TOKEN_SECRET!, options.appName) : undefined;
  setProcessMeshCredentials(credentials);

  const edge = edgeVerifier ? tokenGate(edgeVerifier, { what: 'this service' }) : env.AUTH_MODE === 'off' ? openGate : noKeys;
  const mesh = meshVerifier ? tokenGate(meshVerifier, { what: `${options.appName} (a mesh service)`, requiredServiceScope: MESH_PEER_SCOPE }) : openGate;
  return {
    edge,
    mesh,
    reflection: env.REFLECTION_ACCESS === 'off' ? 'off' : env.REFLECTION_ACCESS === 'service' ? serviceCallersOnly([edgeVerifier, meshVerifier]) : openGate,
    requireEdgeKeys: () => {
      if (env.AUTH_MODE === 'jwt' && !edgeVerifier) {
        throw new Error('AUTH_MODE=jwt needs AUTH_TOKEN_SECRET and/or AUTH_JWKS_URL to verify callers (AUTH_MODE=off turns authentication off, for tests only)');
      }
    },
    close: () => {
      credentials?.close();
      setProcessMeshCredentials(undefined);
    },
  };
}

/** AUTH_MODE=jwt without a key: nobody passes (an app serving an edge service refuses to start instead). */
const noKeys: Gate = {
  authenticate: () => {
    throw new ConnectError('authorization: this app has no key to verify tokens with (AUTH_TOKEN_SECRET / AUTH_JWKS_URL)', Code.Unauthenticated);
  },
};

/** A service token from either issuer this app trusts. */
function serviceCallersOnly(verifiers: (TokenVerifier | undefined)[]): Gate {
  const gates = verifiers.filter((v): v is TokenVerifier => v !== undefined).map((v) => tokenGate(v, { what: 'reflection' }));
  return {
    async authenticate(authorization) {
      let refusal: unknown = new ConnectError('reflection: only service callers may use it, and this app verifies no tokens (set AUTH_* or MESH_AUTH)', Code.PermissionDenied);
      for (const [i, gate] of gates.entries()) {
        let caller: Caller;
        try {
          caller = await gate.authenticate(authorization);
        } catch (error) {
          // The first gate's reason is the one to tell (the edge's, when both are configured).
          if (i === 0) refusal = error;
          continue;
        }
        if (caller.kind === 'service') return caller;
        throw new ConnectError(`reflection: only service callers may use it, not ${describeCaller(caller)}`, Code.PermissionDenied);
      }
      throw refusal;
    },
  };
}
