// A request body's proto JSON text, compiled once: when every placeholder fills a whole string
// field (or string list element), the JSON of the message is produced once with a sentinel in each
// of those fields and split around them, so a request is a few string concatenations of the
// JSON-escaped values. Anything else returns undefined and the body is converted per request.
import { clone, ScalarType, toJson, type DescField, type DescMessage, type Message } from '@bufbuild/protobuf';
import type { PathKey, PlaceholderSite } from './body-template.js';

/** Returns the JSON text with each site's current value. */
export type JsonTemplate = () => string;

export function compileJsonTemplate(schema: DescMessage, message: Message, sites: readonly PlaceholderSite[]): JsonTemplate | undefined {
  const copy = clone(schema, message);
  const sentinels = sites.map((_, index) => `\u0000feedmesh-loadgen-${index}\u0000`);
  for (let i = 0; i < sites.length; i++) {
    if (!setString(schema, copy, sites[i].path, sentinels[i])) return undefined;
  }
  const text = JSON.stringify(toJson(schema, copy));
  // Split the text at each sentinel, in the order they appear.
  const chunks: string[] = [];
  const order: number[] = [];
  let rest = text;
  for (;;) {
    let first = -1;
    let at = rest.length;
    for (let i = 0; i < sentinels.length; i++) {
      const index = rest.indexOf(JSON.stringify(sentinels[i]));
      if (index >= 0 && index < at) {
        at = index;
        first = i;
      }
    }
    if (first < 0) break;
    chunks.push(rest.slice(0, at));
    order.push(first);
    rest = rest.slice(at + JSON.stringify(sentinels[first]).length);
  }
  chunks.push(rest);
  if (order.length !== sites.length || new Set(order).size !== sites.length) return undefined;
  const renders = order.map((index) => sites[index].render);
  const count = renders.length;
  return () => {
    let out = chunks[0];
    for (let i = 0; i < count; i++) out += JSON.stringify(renders[i]()) + chunks[i + 1];
    return out;
  };
}

/** Sets the string field (or string list element) at `path`; false when `path` is not one. */
function setString(desc: DescMessage, message: Message, path: readonly PathKey[], value: string): boolean {
  let descriptor = desc;
  let target = message as unknown as Record<PathKey, unknown>;
  for (let i = 0; i < path.length; i++) {
    const key = path[i];
    if (typeof key !== 'string') return false;
    const field: DescField | undefined = descriptor.fields.find((f) => f.jsonName === key || f.name === key);
    if (field === undefined || field.oneof !== undefined) return false;
    const last = i === path.length - 1;
    if (field.fieldKind === 'scalar' && last && field.scalar === ScalarType.STRING) {
      target[field.localName] = value;
      return true;
    }
    if (field.fieldKind === 'message' && !last && !field.message.file.name.startsWith('google/')) {
      descriptor = field.message;
      target = target[field.localName] as Record<PathKey, unknown>;
      continue;
    }
    if (field.fieldKind === 'list' && typeof path[i + 1] === 'number') {
      const list = target[field.localName] as Record<PathKey, unknown>;
      const index = path[i + 1] as number;
      const elementLast = i + 1 === path.length - 1;
      if (field.listKind === 'scalar' && field.scalar === ScalarType.STRING && elementLast) {
        list[index] = value;
        return true;
      }
      if (field.listKind === 'message' && !elementLast && !field.message.file.name.startsWith('google/')) {
        descriptor = field.message;
        target = list[index] as Record<PathKey, unknown>;
        i++;
        continue;
      }
    }
    return false;
  }
  return false;
}
