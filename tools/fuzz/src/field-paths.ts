import type { DescField, DescMessage } from '@bufbuild/protobuf';

/** Fields nested deeper than this are not visited (requests here nest at most three levels). */
const maxDepth = 4;

/** A field reachable from a request message: each list on the way is entered at element 0. */
export interface FieldPath {
  readonly steps: readonly DescField[];
  /** Proto path as the kit names fields, e.g. `candidates[0].item.kind`. */
  readonly text: string;
  /** Same path in JSON names, for the JSON encodings. */
  readonly json: readonly (string | number)[];
}

export function leafOf(path: FieldPath): DescField {
  return path.steps[path.steps.length - 1]!;
}

/** Every field of `schema` and of the messages it contains, read from the descriptor. */
export function fieldPaths(schema: DescMessage): FieldPath[] {
  const paths: FieldPath[] = [];
  const visit = (message: DescMessage, prefix: DescField[], seen: readonly string[]) => {
    for (const field of message.fields) {
      const steps = [...prefix, field];
      paths.push(describe(steps));
      const inner = field.fieldKind === 'message' || (field.fieldKind === 'list' && field.listKind === 'message') ? field.message : undefined;
      if (inner && steps.length < maxDepth && !seen.includes(inner.typeName)) visit(inner, steps, [...seen, inner.typeName]);
    }
  };
  visit(schema, [], [schema.typeName]);
  return paths;
}

function describe(steps: DescField[]): FieldPath {
  const text: string[] = [];
  const json: (string | number)[] = [];
  steps.forEach((field, i) => {
    const entered = i < steps.length - 1 && field.fieldKind === 'list';
    text.push(entered ? `${field.name}[0]` : field.name);
    json.push(field.jsonName);
    if (entered) json.push(0);
  });
  return { steps, text: text.join('.'), json };
}

/** Whether the path ends at a message (singular or repeated), where unknown fields can be added. */
export function holdsMessages(path: FieldPath): boolean {
  const field = leafOf(path);
  return field.fieldKind === 'message' || (field.fieldKind === 'list' && field.listKind === 'message');
}
