// Values taken from a response for the journey's next steps: `nextCursor`, `items[*].id` (every
// item's id, a list), `items[0].id`. Paths are checked against the response type when the
// scenario is loaded, and read from the response's proto JSON (camelCase names, as in bodies).
import type { DescField, DescMessage, JsonValue } from '@bufbuild/protobuf';

/** A journey variable: one string, or a list (from a `[*]` path). */
export type JourneyValue = string | readonly string[];

export interface CompiledPath {
  readonly text: string;
  /** True when the path has `[*]`: the value is a list. */
  readonly many: boolean;
  read(json: JsonValue): JourneyValue;
}

type Segment = { readonly field: string; readonly index: number | '*' | undefined };

const SEGMENT = /^([A-Za-z_][A-Za-z0-9_]*)(?:\[(\*|\d+)\])?$/;

/** Checks `path` against `schema`; throws an Error saying which segment is wrong. */
export function compilePath(path: string, schema: DescMessage): CompiledPath {
  const segments: Segment[] = [];
  let message: DescMessage | undefined = schema;
  let many = false;
  const parts = path.split('.');
  for (const [position, part] of parts.entries()) {
    const match = SEGMENT.exec(part);
    if (match === null) throw new Error(`"${path}": "${part}" is not a field name, name[*] or name[N]`);
    if (message === undefined) throw new Error(`"${path}": "${parts[position - 1]}" is not a message, it has no field "${part}"`);
    const field: DescField | undefined = message.fields.find((f) => f.jsonName === match[1] || f.name === match[1]);
    if (field === undefined) {
      throw new Error(`"${path}": ${message.typeName} has no field "${match[1]}" (has: ${message.fields.map((f) => f.jsonName).join(', ')})`);
    }
    const index = match[2] === undefined ? undefined : match[2] === '*' ? '*' : Number(match[2]);
    const repeated = field.fieldKind === 'list';
    if (index !== undefined && !repeated) throw new Error(`"${path}": ${message.typeName}.${field.jsonName} is not a list, so "[${match[2]}]" does not apply`);
    if (index === undefined && repeated && position < parts.length - 1) throw new Error(`"${path}": ${field.jsonName} is a list: say ${field.jsonName}[*] or ${field.jsonName}[N]`);
    if (index === '*') {
      if (many) throw new Error(`"${path}": only one [*] per path`);
      many = true;
    }
    if (field.fieldKind === 'map') throw new Error(`"${path}": map fields are not supported`);
    segments.push({ field: field.jsonName, index });
    message = field.fieldKind === 'message' ? field.message : field.fieldKind === 'list' && field.listKind === 'message' ? field.message : undefined;
  }
  if (message !== undefined && !isWellKnownScalar(message)) throw new Error(`"${path}" ends at a message (${message.typeName}); name one of its fields`);
  return { text: path, many, read: (json) => readPath(json, segments, many) };
}

function isWellKnownScalar(message: DescMessage): boolean {
  return message.file.name.startsWith('google/protobuf/');
}

function readPath(json: JsonValue, segments: readonly Segment[], many: boolean): JourneyValue {
  let nodes: JsonValue[] = [json];
  for (const { field, index } of segments) {
    const next: JsonValue[] = [];
    for (const node of nodes) {
      if (node === null || typeof node !== 'object' || Array.isArray(node)) continue;
      const value = node[field];
      if (value === undefined) continue;
      if (index === undefined) next.push(value);
      else if (Array.isArray(value)) {
        if (index === '*') next.push(...value);
        else if (index < value.length) next.push(value[index]);
      }
    }
    nodes = next;
  }
  const strings = nodes.map(scalarText);
  return many ? strings : (strings[0] ?? '');
}

function scalarText(value: JsonValue): string {
  return typeof value === 'string' ? value : value === null ? '' : typeof value === 'object' ? JSON.stringify(value) : String(value);
}
