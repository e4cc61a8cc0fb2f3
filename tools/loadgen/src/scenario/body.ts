// A step's request body: proto JSON from the scenario file with `{{name}}` placeholders, rendered
// per call from the journey's values. A string that is one placeholder naming a list becomes the
// list; `{ $each: items, as: item, limit: 20, value: {...} }` becomes one `value` per element of
// the list `items` (e.g. an engagement event per item just seen).
import type { JsonValue } from '@bufbuild/protobuf';
import type { JourneyValue } from './extract.js';

export type Lookup = (name: string) => JourneyValue | undefined;

export interface BodyTemplate {
  /** Names the body reads (placeholders and $each lists), for load-time checks. */
  readonly uses: ReadonlySet<string>;
  render(lookup: Lookup): JsonValue;
}

const PLACEHOLDER = /\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g;
const WHOLE = /^\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}$/;

type Renderer = (lookup: Lookup, local: ReadonlyMap<string, string>) => JsonValue;

/** Compiles `body`; throws an Error naming the bad `$each` (path in the body) when one is malformed. */
export function compileBodyTemplate(body: JsonValue): BodyTemplate {
  const uses = new Set<string>();
  const render = compileNode(body, uses, new Set(), '');
  return { uses, render: (lookup) => render(lookup, new Map()) };
}

function compileNode(node: JsonValue, uses: Set<string>, locals: ReadonlySet<string>, path: string): Renderer {
  if (typeof node === 'string') return compileString(node, uses, locals);
  if (Array.isArray(node)) {
    const items = node.map((child, index) => compileNode(child, uses, locals, `${path}[${index}]`));
    return (lookup, local) => items.map((item) => item(lookup, local));
  }
  if (node !== null && typeof node === 'object') {
    if ('$each' in node) return compileEach(node, uses, locals, path);
    const entries = Object.entries(node).map(([key, child]) => [key, compileNode(child, uses, locals, path === '' ? key : `${path}.${key}`)] as const);
    return (lookup, local) => {
      const out: Record<string, JsonValue> = {};
      for (const [key, render] of entries) out[key] = render(lookup, local);
      return out;
    };
  }
  return () => node;
}

function compileEach(node: { readonly [key: string]: JsonValue }, uses: Set<string>, locals: ReadonlySet<string>, path: string): Renderer {
  const where = path === '' ? 'the body' : path;
  const unknown = Object.keys(node).filter((key) => !['$each', 'as', 'limit', 'value'].includes(key));
  if (unknown.length > 0) throw new Error(`${where}: $each takes as, limit and value, not ${unknown.join(', ')}`);
  const listText = node.$each;
  const listName = typeof listText === 'string' ? (WHOLE.exec(listText)?.[1] ?? listText) : undefined;
  if (listName === undefined || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(listName)) throw new Error(`${where}: $each must name a list variable, e.g. $each: items`);
  const as = node.as ?? 'item';
  if (typeof as !== 'string' || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(as)) throw new Error(`${where}: $each's "as" must be a variable name`);
  const limit = node.limit ?? Infinity;
  if (typeof limit !== 'number' || !(limit >= 1)) throw new Error(`${where}: $each's limit must be a number >= 1`);
  if (node.value === undefined) throw new Error(`${where}: $each needs a value (the element template)`);
  uses.add(listName);
  const inner = compileNode(node.value, uses, new Set([...locals, as]), `${path}.value`);
  return (lookup, local) => {
    const list = local.get(listName) ?? lookup(listName);
    const elements = list === undefined ? [] : typeof list === 'string' ? (list === '' ? [] : [list]) : list;
    const out: JsonValue[] = [];
    for (let i = 0; i < elements.length && i < limit; i++) {
      const scope = new Map(local);
      scope.set(as, elements[i]);
      out.push(inner(lookup, scope));
    }
    return out;
  };
}

function compileString(text: string, uses: Set<string>, locals: ReadonlySet<string>): Renderer {
  const names = [...text.matchAll(PLACEHOLDER)].map((match) => match[1]);
  if (names.length === 0) return () => text;
  for (const name of names) if (!locals.has(name)) uses.add(name);
  const whole = WHOLE.exec(text)?.[1];
  if (whole !== undefined) {
    return (lookup, local) => {
      const value = local.get(whole) ?? lookup(whole);
      return value === undefined ? '' : typeof value === 'string' ? value : [...value];
    };
  }
  return (lookup, local) =>
    text.replace(PLACEHOLDER, (_, name: string) => {
      const value = local.get(name) ?? lookup(name);
      return value === undefined ? '' : typeof value === 'string' ? value : value.join(',');
    });
}
