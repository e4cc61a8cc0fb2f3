import net from 'node:net';

const CHUNK_BYTES = 1 << 20;

/**
 * Redis "mass insertion" (what `redis-cli --pipe` does): commands are encoded as raw RESP into
 * ~1 MB buffers and written on a connection of their own, with the socket's backpressure, and
 * replies are only counted. At millions of arguments this costs a fraction of a client
 * library's pipeline, which builds a Command object per command and converts every argument
 * separately (most of the seed's read-model time went there and into the garbage collector).
 *
 * Only for commands whose reply is one line (integer, status or error: HSET, DEL, ZADD,
 * SELECT, AUTH), which holds for everything the seed sends. Arguments must be ASCII (ids,
 * numbers, slugs); anything else throws. An error reply does not stop the stream: `finish()`
 * throws the first one.
 */
export class RespBulkWriter {
  private buffer = Buffer.allocUnsafe(CHUNK_BYTES);
  private used = 0;
  private readonly full: Buffer[] = [];
  private sent = 0;
  private replies = 0;
  private atLineStart = true;
  private errorLine: string | undefined;
  private firstError: Error | undefined;
  private waiting: (() => void) | undefined;

  private constructor(private readonly socket: net.Socket) {
    socket.on('data', (data) => this.onData(data));
    socket.on('error', (error) => this.fail(error));
    socket.on('close', () => this.fail(new Error('Redis closed the bulk connection')));
  }

  /** Connects to a redis:// URL (user, password and database index honoured). */
  static async connect(redisUrl: string): Promise<RespBulkWriter> {
    const url = new URL(redisUrl);
    if (url.protocol !== 'redis:') throw new Error(`bulk writes need a redis:// URL, got ${url.protocol}`);
    const socket = net.connect({ host: url.hostname || '127.0.0.1', port: Number(url.port || 6379) });
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    const writer = new RespBulkWriter(socket);
    const password = decodeURIComponent(url.password);
    const user = decodeURIComponent(url.username);
    if (password) writer.command(user ? ['AUTH', user, password] : ['AUTH', password]);
    const db = url.pathname.replace(/^\//, '');
    if (db) writer.command(['SELECT', db]);
    return writer;
  }

  /** An argument encoded once, for one that repeats across many commands (a field name). */
  static encode(arg: string): Buffer {
    const bytes = Buffer.from(arg, 'utf8');
    if (bytes.length !== arg.length) throw new Error(`bulk write: Redis argument ${JSON.stringify(arg)} is not ASCII`);
    return Buffer.from(`$${arg.length}\r\n${arg}\r\n`, 'latin1');
  }

  /** Queues one command. */
  command(args: readonly string[]): void {
    this.begin(args.length);
    for (const arg of args) this.arg(arg);
  }

  /** Starts a command of `argCount` arguments; exactly that many `arg`/`encoded` calls follow. */
  begin(argCount: number): void {
    this.reserve(24);
    this.buffer[this.used++] = 42; // *
    this.digits(argCount);
    this.crlf();
    this.sent++;
  }

  arg(arg: string): void {
    const length = arg.length;
    this.reserve(length + 24);
    this.buffer[this.used++] = 36; // $
    this.digits(length);
    this.crlf();
    if (this.buffer.write(arg, this.used, 'utf8') !== length) throw new Error(`bulk write: Redis argument ${JSON.stringify(arg)} is not ASCII`);
    this.used += length;
    this.crlf();
  }

  /** An argument from `RespBulkWriter.encode`. */
  encoded(arg: Buffer): void {
    const length = arg.length;
    this.reserve(length);
    if (length > 64) {
      this.used += arg.copy(this.buffer, this.used);
      return;
    }
    // Field names and values are a few bytes: a loop beats a native call per argument.
    const buffer = this.buffer;
    let at = this.used;
    for (let i = 0; i < length; i++) buffer[at++] = arg[i]!;
    this.used = at;
  }

  /** Writes the filled buffers; waits while the socket is backed up. Call it between commands often. */
  async maybeFlush(): Promise<void> {
    if (this.full.length > 0) await this.write(this.full.splice(0));
  }

  /** Sends the rest, waits for every reply, closes; throws the first error reply. */
  async finish(): Promise<number> {
    if (this.used > 0) this.full.push(this.buffer.subarray(0, this.used));
    this.used = 0;
    await this.write(this.full.splice(0));
    await new Promise<void>((resolve) => {
      if (this.replies >= this.sent || this.socket.destroyed) resolve();
      else this.waiting = resolve;
    });
    this.socket.removeAllListeners('close');
    this.socket.end();
    if (this.firstError) throw this.firstError;
    if (this.replies < this.sent) throw new Error(`bulk write: ${this.sent - this.replies} commands got no reply`);
    return this.sent;
  }

  /** Drops the connection without sending what is queued (after a failure mid-command). */
  abort(): void {
    this.full.length = 0;
    this.used = 0;
    this.socket.removeAllListeners('close');
    this.socket.destroy();
  }

  /** A non-negative integer in decimal (a length or an argument count). */
  private digits(n: number): void {
    const buffer = this.buffer;
    if (n < 10) {
      buffer[this.used++] = 48 + n;
      return;
    }
    let width = 1;
    for (let rest = n; rest >= 10; rest = Math.floor(rest / 10)) width++;
    let at = this.used + width;
    this.used = at;
    for (let rest = n; width-- > 0; rest = Math.floor(rest / 10)) buffer[--at] = 48 + (rest % 10);
  }

  private crlf(): void {
    this.buffer[this.used++] = 13;
    this.buffer[this.used++] = 10;
  }

  /** Room for `bytes` more; a full buffer is set aside for the next write. */
  private reserve(bytes: number): void {
    if (this.used + bytes <= this.buffer.length) return;
    if (this.used > 0) this.full.push(this.buffer.subarray(0, this.used));
    this.buffer = Buffer.allocUnsafe(Math.max(CHUNK_BYTES, bytes));
    this.used = 0;
  }

  private async write(buffers: Buffer[]): Promise<void> {
    for (const buffer of buffers) {
      if (this.socket.destroyed) throw this.firstError ?? new Error('Redis closed the bulk connection');
      if (this.socket.write(buffer)) continue;
      await new Promise<void>((resolve, reject) => {
        const onDrain = () => {
          this.socket.off('close', onClose);
          resolve();
        };
        const onClose = () => {
          this.socket.off('drain', onDrain);
          reject(this.firstError ?? new Error('Redis closed the bulk connection'));
        };
        this.socket.once('drain', onDrain);
        this.socket.once('close', onClose);
      });
    }
  }

  /** Every reply is one line: count the newlines, keep the text of lines that start with `-`. */
  private onData(data: Buffer): void {
    let from = 0;
    while (from < data.length) {
      if (this.atLineStart && data[from] === 45 /* - */) this.errorLine = '';
      const newline = data.indexOf(10, from);
      const end = newline < 0 ? data.length : newline;
      if (this.errorLine !== undefined) this.errorLine += data.toString('latin1', from, end);
      if (newline < 0) {
        this.atLineStart = false; // the line goes on in the next chunk
        break;
      }
      this.replies++;
      if (this.errorLine !== undefined) {
        this.firstError ??= new Error(`Redis error during bulk write: ${this.errorLine.slice(1).trim()}`);
        this.errorLine = undefined;
      }
      this.atLineStart = true;
      from = newline + 1;
    }
    if (this.waiting && this.replies >= this.sent) {
      this.waiting();
      this.waiting = undefined;
    }
  }

  private fail(error: Error): void {
    this.firstError ??= error;
    this.waiting?.();
    this.waiting = undefined;
  }
}
