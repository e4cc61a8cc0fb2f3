const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Item ids are UUIDs; anything else would make a `$1::uuid[]` cast fail the whole query. */
export function isUuid(value: string): boolean {
  return UUID_PATTERN.test(value);
}
