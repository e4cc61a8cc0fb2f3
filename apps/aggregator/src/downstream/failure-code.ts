import { Code, ConnectError } from '@connectrpc/connect';

/** Lower-snake code of a failed downstream call, for degraded reasons ("ranking: unavailable"). */
export function failureCode(error: unknown): string {
  if (isOpenCircuit(error)) return 'circuit_open';
  if (error instanceof ConnectError) return snake(Code[error.code] ?? String(error.code));
  return 'internal';
}

/** opossum rejects calls on an open circuit with this code instead of calling the action. */
export function isOpenCircuit(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === 'EOPENBREAKER';
}

function snake(name: string): string {
  return name.replace(/([a-z])([A-Z])/g, '$1_$2').toLowerCase();
}
