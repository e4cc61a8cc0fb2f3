import type { IncomingMessage, ServerResponse } from 'node:http';
import { Code, ConnectError } from '@connectrpc/connect';

/** InvalidArgument naming the limit, on both protocols: `request message is 5000 bytes; the limit is 1024`. */
export function messageTooLarge(size: string, limit: number): ConnectError {
  return new ConnectError(`request message is ${size}; the limit is ${limit}`, Code.InvalidArgument);
}

/** What a call refused by admission gets. */
export function overloaded(): ConnectError {
  return new ConnectError('the server is overloaded; retry with backoff', Code.ResourceExhausted);
}

/**
 * Ends the connection once this response is written: for requests whose body is left unread
 * (too large), which would otherwise be parsed as the next request, or stall it.
 */
export function closeAfterResponse(res: ServerResponse): void {
  if (!res.headersSent) res.setHeader('connection', 'close');
  res.shouldKeepAlive = false;
}

/**
 * Reads the body of a plain HTTP route (`AppParts.httpRoutes`) up to `limit` bytes. Beyond it,
 * rejects with `messageTooLarge` and marks the connection to close after the route's error
 * response, as the Connect routes do: the unread rest of a chunked body would otherwise be
 * parsed as the next request on that keep-alive connection.
 */
export async function readLimitedBody(req: IncomingMessage, res: ServerResponse, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    total += chunk.byteLength;
    if (total > limit) {
      closeAfterResponse(res);
      throw messageTooLarge(`more than ${limit} bytes`, limit);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}
