// Durations in scenario files: "500ms", "2s", "1.5m", "1h"; a bare number means milliseconds
// (think times are short), unlike the CLI's bare seconds.
const DURATION = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/;
const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 } as const;

export function parseDurationText(text: string): number {
  const match = DURATION.exec(text.trim());
  if (match === null) throw new Error(`must be a duration like 200ms, 2s or 1m, got "${text}"`);
  return Number(match[1]) * UNIT_MS[(match[2] ?? 'ms') as keyof typeof UNIT_MS];
}
