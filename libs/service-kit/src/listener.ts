import { createServer, type Server, type Socket } from 'node:net';

/** The first bytes of every HTTP/2 connection (RFC 9113 §3.4). */
const h2Preface = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n');

export interface ConnectionRoutes {
  http2(socket: Socket): void;
  http1(socket: Socket): void;
}

/**
 * The app's one TCP port: each connection goes to HTTP/2 (gRPC) or HTTP/1.1 by its first bytes.
 * A connection that sends nothing within `firstByteTimeoutMs` is closed before it is handed to
 * either, so silent connections cannot pile up.
 */
export class ConnectionListener {
  readonly server: Server;
  private readonly sockets = new Set<Socket>();

  constructor(routes: ConnectionRoutes, firstByteTimeoutMs: number) {
    // noDelay: without it Nagle's algorithm holds small gRPC frames back and halves throughput.
    this.server = createServer({ noDelay: true, keepAlive: true }, (socket) => {
      this.sockets.add(socket);
      socket.once('close', () => this.sockets.delete(socket));
      const silent = () => socket.destroy();
      socket.setTimeout(firstByteTimeoutMs, silent);
      socket.once('data', (first: Buffer) => {
        socket.setTimeout(0);
        socket.off('timeout', silent);
        socket.pause();
        socket.unshift(first);
        const n = Math.min(first.length, h2Preface.length);
        if (first.subarray(0, n).equals(h2Preface.subarray(0, n))) {
          routes.http2(socket);
        } else {
          routes.http1(socket);
          // The HTTP/1.1 parser attaches a 'data' listener, which does not undo an explicit pause().
          socket.resume();
        }
      });
    });
  }

  listen(port: number, host: string): Promise<number> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => resolve((this.server.address() as { port: number }).port));
    });
  }

  /** Stops accepting connections; open ones stay. */
  close(): void {
    this.server.close();
  }

  destroyAll(): void {
    for (const socket of this.sockets) socket.destroy();
  }
}
