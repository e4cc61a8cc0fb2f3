import { connect, type Socket } from 'node:net';

/** A raw TCP connection to an app, for requests no HTTP client would send. */
export class RawConnection {
  private received = Buffer.alloc(0);
  private readonly closed: Promise<void>;
  private isClosed = false;

  private constructor(readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => (this.received = Buffer.concat([this.received, chunk])));
    socket.on('error', () => {});
    this.closed = new Promise((resolve) =>
      socket.once('close', () => {
        this.isClosed = true;
        resolve();
      }),
    );
  }

  static open(port: number): Promise<RawConnection> {
    return new Promise((resolve, reject) => {
      const socket = connect(port, '127.0.0.1', () => resolve(new RawConnection(socket)));
      socket.once('error', reject);
    });
  }

  write(data: string | Uint8Array): void {
    this.socket.write(data);
  }

  get text(): string {
    return this.received.toString('latin1');
  }

  get wasClosed(): boolean {
    return this.isClosed;
  }

  /** Resolves once the peer closed the connection, or with false after `timeoutMs`. */
  async closedWithin(timeoutMs: number): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs)));
    const result = await Promise.race([this.closed.then(() => true as const), timeout]);
    clearTimeout(timer);
    return result;
  }

  /** Waits until `count` complete HTTP/1.1 responses (with content-length bodies) arrived. */
  async responses(count: number, timeoutMs = 3_000): Promise<RawResponse[]> {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const parsed = parseResponses(this.received);
      if (parsed.length >= count) return parsed;
      if (Date.now() > until || this.isClosed) throw new Error(`expected ${count} responses, got ${parsed.length}: ${JSON.stringify(this.text)}`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  close(): void {
    this.socket.destroy();
  }
}

export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

function parseResponses(bytes: Buffer): RawResponse[] {
  const responses: RawResponse[] = [];
  let rest = bytes.toString('latin1');
  for (;;) {
    const end = rest.indexOf('\r\n\r\n');
    if (end < 0) return responses;
    const [statusLine, ...lines] = rest.slice(0, end).split('\r\n');
    const headers = Object.fromEntries(lines.map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]));
    const length = Number(headers['content-length'] ?? 0);
    if (rest.length < end + 4 + length) return responses;
    responses.push({ status: Number(statusLine.split(' ')[1]), headers, body: rest.slice(end + 4, end + 4 + length) });
    rest = rest.slice(end + 4 + length);
  }
}
