export { ACT_AS_USER_SCOPE, MESH_PEER_SCOPE, anonymousCaller, describeCaller, isService, type Caller } from './caller.js';
export { identityEnvSpec } from './identity-env.js';
export { createIdentity, type Identity, type IdentityEnv, type IdentityOptions } from './identity.js';
export { bearerToken, openGate, tokenGate, type Gate, type TokenGateOptions } from './gate.js';
export { checkActingUsers, type NamedUsers } from './acting-user.js';
export { createTokenVerifier, type TokenVerifier, type TokenVerifierOptions } from './token-verifier.js';
export { mintServiceToken, mintUserToken, type MintOptions } from './token-minter.js';
export { MESH_TOKEN_AUDIENCE, MESH_TOKEN_ISSUER, MeshCredentials, meshAuthorization, setProcessMeshCredentials } from './mesh-credentials.js';
