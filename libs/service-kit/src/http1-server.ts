import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';

export interface Http1Options {
  keepAliveTimeoutMs: number;
  /** Time a client may take to send a request's headers (a slow-loris client is cut off). */
  headersTimeoutMs: number;
}

/** The HTTP/1.1 side of the port: a Node http server fed sockets by the listener, never listening itself. */
export class Http1Server {
  readonly server: Server;
  private inFlight = 0;
  private drained: (() => void) | undefined;

  constructor(options: Http1Options, handler: (req: IncomingMessage, res: ServerResponse) => void) {
    this.server = createServer(
      {
        keepAliveTimeout: options.keepAliveTimeoutMs,
        headersTimeout: options.headersTimeoutMs,
        // How often Node checks the headers timeout of each connection.
        connectionsCheckingInterval: Math.max(50, Math.min(30_000, options.headersTimeoutMs / 4)),
      },
      (req, res) => {
        this.inFlight++;
        res.once('close', () => {
          if (--this.inFlight === 0) this.drained?.();
        });
        handler(req, res);
      },
    );
    // Node tracks connections (for closeIdleConnections and the headers timeout) from the
    // 'listening' event on; this server is fed sockets by our listener and never listens.
    this.server.emit('listening');
  }

  /**
   * Stops taking requests: idle keep-alive connections close now, busy ones after their
   * response (the request handler sends `connection: close` once not serving). Resolves when
   * the last request in flight has been answered.
   */
  drain(): Promise<void> {
    this.server.closeIdleConnections();
    // Closes Node's connection checking; the server never listened, so the error is expected.
    this.server.close(() => {});
    if (this.inFlight === 0) return Promise.resolve();
    return new Promise((resolve) => (this.drained = resolve));
  }

  /** Past the grace period: every connection goes, busy or not. */
  destroyAll(): void {
    this.server.closeAllConnections();
  }
}
