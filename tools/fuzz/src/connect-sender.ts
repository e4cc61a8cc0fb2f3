import { base64Decode } from '@bufbuild/protobuf/wire';
import { codeFromConnectName, type Answer } from './answer.js';
import { badRequestFields, fieldViolationKey } from './field-naming.js';

/**
 * Sends Connect requests over HTTP/1.1 (fetch keeps connections alive): POST with a JSON or
 * binary body, or GET with the message in the query. The answer is read as the Connect protocol
 * defines it: 200 is success, an error is a JSON body `{code, message, details}`.
 */
export class ConnectSender {
  constructor(
    private readonly baseUrl: string,
    private readonly timeoutMs: number,
  ) {}

  async send(request: { method: 'GET' | 'POST'; pathAndQuery: string; headers: Record<string, string>; body?: Uint8Array }): Promise<Answer> {
    let response: Response;
    let text: string;
    try {
      response = await fetch(this.baseUrl + request.pathAndQuery, {
        method: request.method,
        headers: request.headers,
        body: request.body,
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      text = await response.text();
    } catch (error) {
      const e = error as Error & { cause?: { code?: string; message?: string } };
      return { code: undefined, message: '', fields: [], failure: e.name === 'TimeoutError' ? `no answer within ${this.timeoutMs} ms` : `${e.message}${e.cause ? ` (${e.cause.code ?? e.cause.message})` : ''}` };
    }
    const httpStatus = response.status;
    if (httpStatus === 200) return { code: 0, httpStatus, message: '', fields: [] };
    const fields = response.headers.get(fieldViolationKey)?.split(/,\s*/).filter(Boolean) ?? [];
    if (!(response.headers.get('content-type') ?? '').startsWith('application/json')) {
      return { code: undefined, httpStatus, message: `(not a Connect error body) ${text.slice(0, 200)}`, fields };
    }
    let body: { code?: unknown; message?: unknown; details?: Array<{ type?: string; value?: string }> };
    try {
      body = JSON.parse(text);
    } catch {
      return { code: undefined, httpStatus, message: `(unparseable Connect error body) ${text.slice(0, 200)}`, fields };
    }
    for (const detail of body.details ?? []) {
      if (detail.type === 'google.rpc.BadRequest' && typeof detail.value === 'string') fields.push(...badRequestFields(base64Decode(detail.value)));
    }
    return { code: codeFromConnectName(body.code), httpStatus, message: String(body.message ?? ''), fields };
  }
}
