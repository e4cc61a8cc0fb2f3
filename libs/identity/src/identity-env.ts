import { makeValidator, str, url } from 'envalid';

/** A shared HMAC secret: long enough to be one (RFC 7518 §3.2: at least the hash's 256 bits). */
const hmacSecret = makeValidator<string>((input) => {
  if (Buffer.byteLength(input, 'utf8') < 32) throw new Error('must be at least 32 bytes (e.g. `openssl rand -base64 32`)');
  return input;
});

/**
 * Who may call, read once at start with the kit's settings (kitEnvSpec spreads this in). Two
 * gates: the edge (FeedService, IngestService: end users and trusted services, AUTH_*) and the
 * mesh (recall, ranking, render: only the mesh's own apps, MESH_*).
 */
export const identityEnvSpec = {
  AUTH_MODE: str({
    choices: ['jwt', 'off'],
    default: 'jwt',
    desc: 'jwt: every call to an edge service (FeedService, IngestService) needs `authorization: Bearer <JWT>` (an end user\'s token, or a service\'s with scope act_as_user); off: nobody is checked (tests and local experiments only)',
  }),
  AUTH_TOKEN_SECRET: hmacSecret({ default: undefined, desc: 'HS256 secret that signs end-user and service tokens (≥ 32 bytes); this and/or AUTH_JWKS_URL when AUTH_MODE=jwt' }),
  AUTH_JWKS_URL: url({ default: undefined, desc: "URL of the identity provider's JWKS (RS256, ES256, EdDSA keys; fetched and rotated by jose); this and/or AUTH_TOKEN_SECRET when AUTH_MODE=jwt" }),
  AUTH_ISSUER: str({ default: 'feedmesh', desc: 'Required `iss` of end-user and service tokens' }),
  AUTH_AUDIENCE: str({ default: 'feedmesh', desc: 'Required `aud` of end-user and service tokens' }),
  MESH_AUTH: str({
    choices: ['token', 'off'],
    default: 'off',
    desc: "token: apps prove who they are to each other with short-lived tokens signed with MESH_TOKEN_SECRET, and mesh services (recall, ranking, render) refuse calls without one; off: plaintext, for local development only",
  }),
  MESH_TOKEN_SECRET: hmacSecret({ default: undefined, desc: 'HS256 secret shared by the mesh\'s apps for their peer tokens (≥ 32 bytes); required when MESH_AUTH=token' }),
  REFLECTION_ACCESS: str({
    choices: ['any', 'service', 'off'],
    default: 'any',
    desc: 'Who may use gRPC server reflection: any caller, service callers only (a service or mesh token), or nobody (not served)',
  }),
};
