import type { ServerResponse } from 'node:http';
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
