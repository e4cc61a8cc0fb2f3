import type { EngagementEvent, EngagementRejection } from '@feedmesh/storage';

/** One engagement event that passed validation, ready to store (the engagement repository's shape). */
export type EngagementRecord = EngagementEvent;
/** Why one record of a batch was rejected (proto RecordError). */
export type RecordRejection = EngagementRejection;

export const MAX_EVENTS_PER_BATCH = 5_000;
export const MAX_DWELL_MS = 86_400_000;
export const MAX_FUTURE_MS = 5 * 60 * 1000;
export const MAX_PAST_MS = 7 * 24 * 60 * 60 * 1000;

/** The accepted time window around the server's clock. */
export function checkOccurredAt(occurredAtMs: number, nowMs: number): string | undefined {
  if (!Number.isFinite(occurredAtMs)) return 'is not a valid time';
  if (occurredAtMs > nowMs + MAX_FUTURE_MS) return 'is more than 5 minutes in the future';
  if (occurredAtMs < nowMs - MAX_PAST_MS) return 'is more than 7 days in the past';
  return undefined;
}

export function checkDwellMs(dwellMs: number): string | undefined {
  if (!Number.isInteger(dwellMs) || dwellMs < 0 || dwellMs > MAX_DWELL_MS) return `must be an integer in 0..${MAX_DWELL_MS}`;
  return undefined;
}
