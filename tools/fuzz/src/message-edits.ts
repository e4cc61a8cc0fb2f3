import { create, type DescField, type DescMessage, type Message } from '@bufbuild/protobuf';
import type { FieldPath } from './field-paths.js';
import type { HostileValue } from './hostile-values.js';

type Obj = Record<string, unknown> & { $unknown?: { no: number; wireType: number; data: Uint8Array }[] };

/** Raw bytes for one field on the wire, after its tag: whatever protobuf-es would never write. */
export interface RawField {
  readonly wireType: number;
  readonly data: Uint8Array;
  readonly label: string;
}

/** The message holding the path's last field, creating the messages (and list elements) on the way. */
function parentOf(root: Message, path: FieldPath): Obj {
  let target = root as unknown as Obj;
  for (const field of path.steps.slice(0, -1)) target = enter(target, field);
  return target;
}

function enter(m: Obj, field: DescField): Obj {
  const schema = (field as { message?: DescMessage }).message!;
  if (field.fieldKind === 'list') {
    const list = m[field.localName] as Obj[];
    if (!list.length) list.push(create(schema) as unknown as Obj);
    return list[0]!;
  }
  if (field.oneof) {
    const selected = m[field.oneof.localName] as { case?: string; value?: Obj };
    if (selected.case !== field.localName) m[field.oneof.localName] = { case: field.localName, value: create(schema) };
    return (m[field.oneof.localName] as { value: Obj }).value;
  }
  return (m[field.localName] ??= create(schema)) as Obj;
}

/** Sets the path's field (or its first element) to `value`, in place. */
export function setField(root: Message, path: FieldPath, { target, value }: HostileValue): void {
  const parent = parentOf(root, path);
  const field = path.steps[path.steps.length - 1]!;
  if (field.fieldKind === 'list' && target === 'element') {
    const list = parent[field.localName] as unknown[];
    if (list.length) list[0] = value;
    else list.push(value);
  } else if (field.oneof) {
    parent[field.oneof.localName] = value === undefined ? { case: undefined } : { case: field.localName, value };
  } else {
    parent[field.localName] = value;
  }
}

/** Clears the path's field and writes `raw` under its field number instead (unknown fields are written as given). */
export function replaceWithRaw(root: Message, path: FieldPath, raw: RawField): void {
  const parent = parentOf(root, path);
  const field = path.steps[path.steps.length - 1]!;
  const empty = create(field.parent) as unknown as Obj;
  if (field.oneof) {
    if ((parent[field.oneof.localName] as { case?: string }).case === field.localName) parent[field.oneof.localName] = { case: undefined };
  } else {
    parent[field.localName] = empty[field.localName];
  }
  addUnknown(parent, field.number, raw);
}

/** Adds a field the message's schema does not declare, to the message at `path` (the root without one). */
export function addUnknownField(root: Message, path: FieldPath | undefined, no: number, raw: RawField): void {
  const target = path ? enter(parentOf(root, path), path.steps[path.steps.length - 1]!) : (root as unknown as Obj);
  addUnknown(target, no, raw);
}

function addUnknown(m: Obj, no: number, raw: RawField): void {
  m.$unknown = [...(m.$unknown ?? []), { no, wireType: raw.wireType, data: raw.data }];
}
