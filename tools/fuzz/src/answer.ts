import { Code } from '@connectrpc/connect';

/** What the server answered to one case, in protocol-neutral terms. */
export interface Answer {
  /** gRPC / Connect code; 0 for success; undefined when the answer carried none (an HTTP-level refusal). */
  readonly code: Code | 0 | undefined;
  readonly httpStatus?: number;
  readonly message: string;
  /** Field paths the error names (x-field-violation, BadRequest details). */
  readonly fields: readonly string[];
  /** No answer at all: connection refused or reset, or no answer within the client's timeout. */
  readonly failure?: string;
}

export function codeName(code: Code | 0 | undefined): string {
  if (code === undefined) return 'no code';
  return code === 0 ? 'OK' : Code[code];
}

/** Connect's JSON code names (`invalid_argument`) to codes. */
export function codeFromConnectName(name: unknown): Code | undefined {
  if (typeof name !== 'string') return undefined;
  const pascal = name.replace(/(^|_)([a-z])/g, (_, __, c: string) => c.toUpperCase());
  const code = (Code as unknown as Record<string, number>)[pascal];
  return typeof code === 'number' ? (code as Code) : undefined;
}

export function printAnswer(a: Answer): string {
  if (a.failure) return `no answer: ${a.failure}`;
  const status = a.httpStatus !== undefined ? `HTTP ${a.httpStatus} ` : '';
  const fields = a.fields.length ? ` naming ${a.fields.map((f) => JSON.stringify(f)).join(', ')}` : '';
  return `${status}${codeName(a.code)} ${JSON.stringify(a.message.length > 200 ? `${a.message.slice(0, 200)}…` : a.message)}${fields}`;
}
