import { fromJson, type DescField, type DescMessage, type JsonValue } from '@bufbuild/protobuf';
import type { FieldViolation } from './message-checks.js';

export interface JsonDecodeOptions {
  ignoreUnknownFields: boolean;
}

/** Beyond this many nested messages the field reached is named as it is (recursive message types). */
const maxDepth = 32;

/**
 * Where a JSON request that protobuf-es refused goes wrong, as a proto path (`page_size`,
 * `events[3].item_id`, `content` for a oneof set twice, or the unknown key as sent). protobuf-es
 * says which field type failed but not where (`cannot decode field feedmesh.ingest.v1.Event.item_id
 * from JSON`), so the failing value is found by decoding the request's fields one at a time,
 * descending into the one that fails. Runs on failed requests only. Undefined when the text is
 * not a JSON object: that is a malformed body, not a field.
 */
export function jsonFieldViolation(schema: DescMessage, text: string, options: JsonDecodeOptions): FieldViolation | undefined {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!isObject(json)) return undefined;
  return messageViolation(schema, json, options, 0) ?? duplicateKeyViolation(schema, text);
}

function isObject(value: unknown): value is Record<string, JsonValue> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** Message types with a JSON form of their own (Timestamp as a string, Struct, wrappers…): a failure inside is the field's. */
function hasOwnJsonForm(schema: DescMessage): boolean {
  return schema.typeName.startsWith('google.protobuf.');
}

/** The first field of `json` that protobuf-es cannot decode, relative to `schema`. */
function messageViolation(schema: DescMessage, json: Record<string, JsonValue>, options: JsonDecodeOptions, depth: number): FieldViolation | undefined {
  const seen = new Set<DescField>();
  const oneofs = new Map<string, DescField>();
  for (const key of Object.keys(json)) {
    const field = schema.fields.find((f) => f.jsonName === key || f.name === key);
    if (!field) {
      if (options.ignoreUnknownFields) continue;
      return { field: key, reason: `unknown field ${JSON.stringify(key)} for ${schema.typeName}` };
    }
    if (seen.has(field)) return { field: field.name, reason: 'set more than once (by its proto name and its JSON name)' };
    seen.add(field);
    const value = json[key]!;
    // As protobuf-es: null leaves a scalar oneof member unset, but sets a message or enum one.
    if (field.oneof && !(value === null && field.fieldKind === 'scalar')) {
      const other = oneofs.get(field.oneof.name);
      if (other) return { field: field.oneof.name, reason: `oneof set more than once, by ${other.name} and ${field.name}` };
      oneofs.set(field.oneof.name, field);
    }
    const failure = decodeFailure(schema, { [key]: value }, options);
    if (failure === undefined) continue;
    const inner = depth < maxDepth ? valueViolation(schema, field, key, value, options, depth) : undefined;
    if (!inner) return { field: field.name, reason: failure };
    inner.field = inner.field.startsWith('[') ? `${field.name}${inner.field}` : `${field.name}.${inner.field}`;
    return inner;
  }
  return undefined;
}

/** Inside a field that fails: the list element or sub-message field that does, if it can be told apart. */
function valueViolation(schema: DescMessage, field: DescField, key: string, value: JsonValue, options: JsonDecodeOptions, depth: number): FieldViolation | undefined {
  if (field.fieldKind === 'message' && !hasOwnJsonForm(field.message) && isObject(value)) {
    return messageViolation(field.message, value, options, depth + 1);
  }
  if (field.fieldKind !== 'list' || !Array.isArray(value)) return undefined;
  for (let i = 0; i < value.length; i++) {
    const element = value[i]!;
    const failure = decodeFailure(schema, { [key]: [element] }, options);
    if (failure === undefined) continue;
    if (field.listKind === 'message' && !hasOwnJsonForm(field.message) && isObject(element)) {
      const inner = messageViolation(field.message, element, options, depth + 1);
      if (inner) return { field: `[${i}].${inner.field}`, reason: inner.reason };
    }
    return { field: `[${i}]`, reason: failure };
  }
  return undefined;
}

/** protobuf-es's reason for refusing `json`, without its "cannot decode field X from JSON" prefix; undefined if it decodes. */
function decodeFailure(schema: DescMessage, json: JsonValue, options: JsonDecodeOptions): string | undefined {
  try {
    fromJson(schema, json, options);
    return undefined;
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    return message.replace(/^(cannot decode [^:]* from JSON: )+/, '') || message;
  }
}

/**
 * A duplicate key (which JSON.parse silently merges, and protobuf-es refuses from the text): its
 * path, found by scanning the text. The text is known to parse.
 */
function duplicateKeyViolation(schema: DescMessage, text: string): FieldViolation | undefined {
  // Per open container: an object's keys seen and its current key, or an array's element index.
  const stack: Array<{ keys: Set<string>; key?: string } | { index: number }> = [];
  let expectKey = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    const top = stack[stack.length - 1];
    if (c === '{' || c === '[') {
      stack.push(c === '{' ? { keys: new Set() } : { index: 0 });
      expectKey = c === '{';
    } else if (c === '}' || c === ']') {
      stack.pop();
      expectKey = false;
    } else if (c === ',') {
      if (top && 'index' in top) top.index++;
      expectKey = !!top && 'keys' in top;
    } else if (c === ':') {
      expectKey = false;
    } else if (c === '"') {
      const open = i++;
      while (i < text.length && text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
      if (expectKey && top && 'keys' in top) {
        const key = JSON.parse(text.slice(open, i + 1)) as string;
        top.key = key;
        if (top.keys.has(key)) return { field: protoPath(schema, stack), reason: `key ${JSON.stringify(key)} appears more than once` };
        top.keys.add(key);
      }
      expectKey = false;
    }
  }
  return undefined;
}

/** The JSON path of the scan's stack (keys and indices) in proto names, as far as the schema knows it. */
function protoPath(schema: DescMessage, stack: ReadonlyArray<{ keys: Set<string>; key?: string } | { index: number }>): string {
  let path = '';
  let message: DescMessage | undefined = schema;
  for (let level = 0; level < stack.length; level++) {
    const entry = stack[level]!;
    if ('index' in entry) {
      path += `[${entry.index}]`;
      continue;
    }
    const field: DescField | undefined = message?.fields.find((f) => f.jsonName === entry.key || f.name === entry.key);
    const name = field?.name ?? entry.key ?? '';
    path = path ? `${path}.${name}` : name;
    if (!field) break;
    message = field.fieldKind === 'message' || (field.fieldKind === 'list' && field.listKind === 'message') ? field.message : undefined;
  }
  return path;
}
