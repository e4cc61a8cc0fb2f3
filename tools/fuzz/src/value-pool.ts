/**
 * Values a test harvested from its running apps (user ids in the database, item ids, a real
 * cursor, an encoded candidate block): the generator mixes them into strings and bytes of every
 * field, whatever its name, so some generated requests get past the first checks and reach the
 * handlers' deeper paths. Nothing here is tied to a particular field.
 */
export interface ValuePool {
  readonly strings: readonly string[];
  readonly bytes: readonly Uint8Array[];
}

/** Strings plausible for many fields of a feed API (URLs, words, a timestamp-ish id). */
export const genericStrings: readonly string[] = ['https://example.com/a.jpg', 'https://example.com/v.m3u8', 'Hello world', 'a', 'following', 'trending'];

export function withGenericValues(pool: Partial<ValuePool>): ValuePool {
  return { strings: [...(pool.strings ?? []), ...genericStrings], bytes: [...(pool.bytes ?? [])] };
}

/** Seed requests by message type, for ShapeContext.examples. */
export function examplesByType(messages: readonly import('@bufbuild/protobuf').Message[]): Map<string, import('@bufbuild/protobuf').Message[]> {
  const byType = new Map<string, import('@bufbuild/protobuf').Message[]>();
  for (const m of messages) byType.set(m.$typeName, [...(byType.get(m.$typeName) ?? []), m]);
  return byType;
}
