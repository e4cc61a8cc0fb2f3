// Reading the items.payload jsonb defensively: a field of the wrong type renders as its empty
// value instead of failing the whole batch.

export type Payload = Record<string, unknown>;

export function text(payload: Payload, field: string): string {
  const value = payload[field];
  return typeof value === 'string' ? value : '';
}

/** A non-negative integer field clamped to uint32 (the card fields are uint32). */
export function uint32(payload: Payload, field: string): number {
  const value = payload[field];
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) return 0;
  return Math.min(Math.floor(value), 0xffff_ffff);
}

/** An ISO timestamp field in Unix ms, or undefined when absent or unparsable. */
export function timeMs(payload: Payload, field: string): number | undefined {
  const value = payload[field];
  if (typeof value !== 'string' || value.length === 0) return undefined;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : ms;
}
