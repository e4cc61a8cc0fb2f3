import { MESH_PEER_SCOPE } from './caller.js';
import { mintServiceToken } from './token-minter.js';

/** `iss` and `aud` of mesh peer tokens: never valid at the edge, whose tokens never pass here. */
export const MESH_TOKEN_ISSUER = 'feedmesh-mesh';
export const MESH_TOKEN_AUDIENCE = 'feedmesh-mesh';

const TOKEN_TTL_SECONDS = 600;
const REFRESH_MS = 240_000;

/**
 * This app's proof of who it is to the mesh's other apps: a short-lived peer token (10 min,
 * re-minted every 4 min in the background), so a call never waits for signing and a leaked
 * token is soon useless.
 */
export class MeshCredentials {
  private timer: NodeJS.Timeout | undefined;

  private constructor(
    private readonly secret: string,
    private readonly appName: string,
    private header: string,
  ) {}

  static async create(secret: string, appName: string): Promise<MeshCredentials> {
    const credentials = new MeshCredentials(secret, appName, await MeshCredentials.mint(secret, appName));
    credentials.timer = setInterval(() => void credentials.refresh(), REFRESH_MS).unref();
    return credentials;
  }

  private static async mint(secret: string, appName: string): Promise<string> {
    const token = await mintServiceToken(secret, appName, [MESH_PEER_SCOPE], { issuer: MESH_TOKEN_ISSUER, audience: MESH_TOKEN_AUDIENCE, ttlSeconds: TOKEN_TTL_SECONDS });
    return `Bearer ${token}`;
  }

  private async refresh(): Promise<void> {
    // A failed re-mint keeps the current token, which is good for minutes more.
    this.header = await MeshCredentials.mint(this.secret, this.appName).catch(() => this.header);
  }

  /** The `authorization` header value for a call to another app. */
  get authorization(): string {
    return this.header;
  }

  close(): void {
    clearInterval(this.timer);
  }
}

let processCredentials: MeshCredentials | undefined;

/** Set by the kit at start when MESH_AUTH=token; the kit's gRPC clients then send it on every call. */
export function setProcessMeshCredentials(credentials: MeshCredentials | undefined): void {
  processCredentials = credentials;
}

/** The `authorization` value this process's mesh calls carry, if mesh authentication is on. */
export function meshAuthorization(): string | undefined {
  return processCredentials?.authorization;
}
