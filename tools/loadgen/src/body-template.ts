// The request body: proto JSON with `{{variable}}` placeholders, compiled once.
//
// Measured choice (see README): JSON is parsed and validated once; when every placeholder sits in
// a plain string or 32-bit/floating number field (the usual `"userId": "{{user}}"`), each request
// only assigns those fields on one reused message. Any other placement (maps, oneofs, enums,
// 64-bit ints, well-known types) falls back to `fromJson` on the reused, patched JSON tree, which
// is correct everywhere but costs a few microseconds more per request.
//
// The transports do not need the message, only its encoding, so the body is also compiled into
// encoders (binary-template.ts, json-template.ts): the constant bytes are encoded once and each
// request only writes the placeholder fields' bytes (and the lengths of the messages around them),
// instead of assigning fields and running `toBinary` / `toJson` over the whole message.
import { fromJson, ScalarType, toBinary, toJson, type DescField, type DescMessage, type JsonValue, type Message } from '@bufbuild/protobuf';
import { compileBinaryTemplate, type BinaryTemplate } from './binary-template.js';
import type { VariableSpec } from './generators.js';
import { compileJsonTemplate } from './json-template.js';
import { UsageError } from './method-resolver.js';

export interface CompiledBody {
  readonly schema: DescMessage;
  /** True when the body has no variables: `next()` returns the same message every time. */
  readonly constant: boolean;
  /** How per-request values are applied: "constant", "field-setters" or "from-json". */
  readonly strategy: 'constant' | 'field-setters' | 'from-json';
  /** The next request. The returned object is reused; encode it before calling `next()` again. */
  next(): Message;
  /**
   * The next request in the proto binary encoding, or as a whole gRPC message frame with
   * `grpcFrame`. A new buffer per call, or one shared buffer when the body is constant: never
   * modify a returned buffer.
   */
  nextBinary(): Buffer;
  /** The next request as proto JSON text. */
  nextJson(): string;
  /** How `nextBinary` / `nextJson` work: "constant", "template" (placeholders spliced in) or "encode" (per request). */
  readonly encoderStrategy: { readonly binary: EncoderStrategy; readonly json: EncoderStrategy };
}

export type EncoderStrategy = 'constant' | 'template' | 'encode';

export interface CompileOptions {
  /** `nextBinary` returns a gRPC frame: the 5-byte prefix (uncompressed, length) and the message. */
  readonly grpcFrame?: boolean;
}

/** A placeholder occurrence as the encoders see it: where it is, and how to render its value. */
export interface PlaceholderSite {
  readonly path: readonly PathKey[];
  /** The string value this request, rendered from the current variable values. */
  readonly render: () => string;
}

export type PathKey = string | number;

/** One string in the JSON tree that contains placeholders. */
interface Occurrence {
  readonly path: readonly PathKey[];
  /** Literal text and variable indexes, alternating as they appear. */
  readonly parts: readonly (string | number)[];
}

const PLACEHOLDER = /\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g;

export function compileBody(
  schema: DescMessage,
  bodyText: string | undefined,
  variables: readonly VariableSpec[],
  options: CompileOptions = {},
): CompiledBody {
  const framed = options.grpcFrame ?? false;
  let tree: JsonValue;
  try {
    tree = JSON.parse(bodyText ?? '{}') as JsonValue;
  } catch (error) {
    throw new UsageError(`--body is not valid JSON: ${(error as Error).message}`);
  }
  const names = variables.map((v) => v.name);
  const occurrences: Occurrence[] = [];
  findOccurrences(tree, [], names, occurrences);
  const used = new Set(occurrences.flatMap((o) => o.parts.filter((p): p is number => typeof p === 'number')));
  const unused = names.filter((_, index) => !used.has(index));
  if (unused.length > 0) throw new UsageError(`--var ${unused.join(', ')} not used in --body`);

  const generators = variables.map((v) => v.generator);
  const values: string[] = new Array<string>(generators.length).fill('');
  const fillValues = (): void => {
    for (let i = 0; i < generators.length; i++) values[i] = generators[i]();
  };
  const render = (parts: readonly (string | number)[]): string => {
    if (parts.length === 1) return typeof parts[0] === 'number' ? values[parts[0]] : parts[0];
    let text = '';
    for (const part of parts) text += typeof part === 'number' ? values[part] : part;
    return text;
  };
  const patchTree = (): void => {
    for (const occurrence of occurrences) setAtPath(tree, occurrence.path, render(occurrence.parts));
  };

  // Validate once with sample values: unknown fields and type errors are usage errors, not
  // a stream of per-request failures.
  fillValues();
  patchTree();
  let message: Message;
  try {
    message = fromJson(schema, tree);
  } catch (error) {
    throw new UsageError(`--body does not match ${schema.typeName}: ${(error as Error).message}`);
  }

  if (occurrences.length === 0) {
    const constant = message;
    const bytes = frameBytes(toBinary(schema, constant), framed);
    const json = JSON.stringify(toJson(schema, constant));
    return {
      schema,
      constant: true,
      strategy: 'constant',
      next: () => constant,
      nextBinary: () => bytes,
      nextJson: () => json,
      encoderStrategy: { binary: 'constant', json: 'constant' },
    };
  }

  const setters = occurrences.map((o) => fieldSetter(schema, message, o.path));
  let next: () => Message;
  let strategy: CompiledBody['strategy'];
  if (setters.every((s): s is FieldSetter => s !== undefined)) {
    const count = setters.length;
    strategy = 'field-setters';
    next = () => {
      fillValues();
      for (let i = 0; i < count; i++) setters[i](render(occurrences[i].parts));
      return message;
    };
  } else {
    strategy = 'from-json';
    next = () => {
      fillValues();
      patchTree();
      return fromJson(schema, tree);
    };
  }

  // The encoders render from the same values: fillValues() once per request, then each site.
  const sites: PlaceholderSite[] = occurrences.map((o) => ({ path: o.path, render: () => render(o.parts) }));
  const template: BinaryTemplate | undefined = compileBinaryTemplate(schema, message, sites, framed);
  const encodeBinary = (): Buffer => frameBytes(toBinary(schema, next()), framed);
  const nextBinary = template === undefined ? encodeBinary : () => (fillValues(), template.render());
  const jsonTemplate = compileJsonTemplate(schema, message, sites);
  const nextJson = jsonTemplate === undefined ? () => JSON.stringify(toJson(schema, next())) : () => (fillValues(), jsonTemplate());
  return {
    schema,
    constant: false,
    strategy,
    next,
    nextBinary,
    nextJson,
    encoderStrategy: { binary: template === undefined ? 'encode' : 'template', json: jsonTemplate === undefined ? 'encode' : 'template' },
  };
}

/** The message bytes as a Buffer (no copy), or copied into a gRPC frame. */
export function frameBytes(bytes: Uint8Array, grpcFrame: boolean): Buffer {
  if (!grpcFrame) return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = Buffer.allocUnsafe(GRPC_PREFIX_BYTES + bytes.byteLength);
  writeGrpcPrefix(out, bytes.byteLength);
  out.set(bytes, GRPC_PREFIX_BYTES);
  return out;
}

/** The gRPC message prefix: 1 byte "compressed" flag + 4 bytes big-endian length. */
export const GRPC_PREFIX_BYTES = 5;

export function writeGrpcPrefix(out: Buffer, messageBytes: number): void {
  out[0] = 0;
  out.writeUInt32BE(messageBytes, 1);
}

function findOccurrences(node: JsonValue, path: PathKey[], names: readonly string[], out: Occurrence[]): void {
  if (typeof node === 'string') {
    const parts = splitPlaceholders(node, names);
    if (parts !== undefined) out.push({ path: [...path], parts });
  } else if (Array.isArray(node)) {
    node.forEach((child, index) => findOccurrences(child, [...path, index], names, out));
  } else if (node !== null && typeof node === 'object') {
    for (const [key, child] of Object.entries(node)) {
      if (key.includes('{{')) throw new UsageError(`placeholders are supported in values only, not in the key "${key}"`);
      findOccurrences(child, [...path, key], names, out);
    }
  }
}

function splitPlaceholders(text: string, names: readonly string[]): (string | number)[] | undefined {
  const parts: (string | number)[] = [];
  let last = 0;
  for (const match of text.matchAll(PLACEHOLDER)) {
    const index = names.indexOf(match[1]);
    if (index < 0) throw new UsageError(`--body uses {{${match[1]}}} but no --var ${match[1]}=... is given`);
    if (match.index > last) parts.push(text.slice(last, match.index));
    parts.push(index);
    last = match.index + match[0].length;
  }
  if (parts.length === 0) return undefined;
  if (last < text.length) parts.push(text.slice(last));
  return parts;
}

function setAtPath(tree: JsonValue, path: readonly PathKey[], value: string): void {
  let node = tree as Record<PathKey, JsonValue>;
  for (let i = 0; i < path.length - 1; i++) node = node[path[i]] as Record<PathKey, JsonValue>;
  node[path[path.length - 1]] = value;
}

type FieldSetter = (value: string) => void;

const NUMBER_SCALARS = new Set([
  ScalarType.DOUBLE, ScalarType.FLOAT, ScalarType.INT32, ScalarType.UINT32,
  ScalarType.SINT32, ScalarType.FIXED32, ScalarType.SFIXED32,
]);

/** A direct assignment for a placeholder at `path`, or undefined when only fromJson is safe. */
function fieldSetter(schema: DescMessage, message: Message, path: readonly PathKey[]): FieldSetter | undefined {
  let descriptor = schema;
  let target = message as unknown as Record<string, unknown>;
  for (let i = 0; i < path.length; i++) {
    const key = path[i];
    if (typeof key !== 'string') return undefined;
    const field = descriptor.fields.find((f) => f.jsonName === key || f.name === key);
    if (field === undefined || field.oneof !== undefined) return undefined;
    const last = i === path.length - 1;
    if (field.fieldKind === 'scalar' && last) return scalarSetter(field, target, field.localName);
    if (field.fieldKind === 'message' && !last && field.message.file.name.startsWith('google/') === false) {
      descriptor = field.message;
      target = target[field.localName] as Record<string, unknown>;
      continue;
    }
    if (field.fieldKind === 'list' && i + 1 < path.length && typeof path[i + 1] === 'number') {
      const list = target[field.localName] as unknown as Record<number, unknown>;
      const index = path[i + 1] as number;
      const elementLast = i + 1 === path.length - 1;
      if (field.listKind === 'scalar' && elementLast) return scalarSetter(field, list, index);
      if (field.listKind === 'message' && !elementLast && !field.message.file.name.startsWith('google/')) {
        descriptor = field.message;
        target = list[index] as Record<string, unknown>;
        i++;
        continue;
      }
    }
    return undefined;
  }
  return undefined;
}

function scalarSetter(field: DescField & { scalar: ScalarType }, target: Record<PathKey, unknown>, key: PathKey): FieldSetter | undefined {
  if (field.scalar === ScalarType.STRING) return (value) => (target[key] = value);
  if (NUMBER_SCALARS.has(field.scalar)) return (value) => (target[key] = Number(value));
  return undefined;
}
