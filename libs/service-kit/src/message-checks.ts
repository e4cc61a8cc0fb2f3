import type { DescField, DescMessage, DescOneof } from '@bufbuild/protobuf';

/** A field that violates the contract, by proto path, e.g. `candidates[3].item.kind`. */
export interface FieldViolation {
  field: string;
  reason: string;
}

type Checker = (message: Record<string, unknown>, path: string) => FieldViolation | undefined;

interface CheckOptions {
  rejectUnknownFields: boolean;
}

/**
 * Builds, once per message type, a checker for what protobuf decoding lets through silently:
 * enum values the schema does not define (proto3 enums are open) and, optionally, unknown fields
 * (a client built against a different contract). Only the fields that can hold such values are
 * visited, so a 100k-candidate request costs one pass over its enum fields.
 */
export function compileMessageChecks(schema: DescMessage, options: CheckOptions): Checker {
  const cache = new Map<string, Checker | null>();
  return compile(schema, options, cache) ?? (() => undefined);
}

function compile(schema: DescMessage, options: CheckOptions, cache: Map<string, Checker | null>): Checker | null {
  if (cache.has(schema.typeName)) {
    const known = cache.get(schema.typeName);
    // Recursive types: defer to the cached checker once it exists.
    return known === undefined ? null : known;
  }
  let self: Checker | null = null;
  cache.set(schema.typeName, (m, p) => self?.(m, p));
  const fieldChecks: Checker[] = [];
  for (const member of schema.members) {
    const check = member.kind === 'oneof' ? compileOneof(member, options, cache) : compileField(member, options, cache);
    if (check) fieldChecks.push(check);
  }
  const rejectUnknown = options.rejectUnknownFields;
  if (!fieldChecks.length && !rejectUnknown) {
    cache.set(schema.typeName, null);
    return null;
  }
  self = (message, path) => {
    if (rejectUnknown) {
      const unknown = (message as { $unknown?: Array<{ no: number }> }).$unknown;
      if (unknown?.length) {
        return { field: join(path, `#${unknown[0].no}`), reason: `unknown field number ${unknown[0].no} for ${schema.typeName}` };
      }
    }
    for (const check of fieldChecks) {
      const violation = check(message, path);
      if (violation) return violation;
    }
    return undefined;
  };
  cache.set(schema.typeName, self);
  return self;
}

function join(path: string, name: string): string {
  return path ? `${path}.${name}` : name;
}

function enumCheck(field: DescField & { enum: { values: Array<{ number: number }>; typeName: string } }) {
  const defined = new Set(field.enum.values.map((v) => v.number));
  return (value: unknown, path: string): FieldViolation | undefined =>
    defined.has(value as number) ? undefined : { field: path, reason: `unknown ${field.enum.typeName} value ${String(value)}` };
}

function compileField(field: DescField, options: CheckOptions, cache: Map<string, Checker | null>): Checker | null {
  const name = field.name;
  const key = field.localName;
  switch (field.fieldKind) {
    case 'enum': {
      const check = enumCheck(field);
      return (m, p) => check(m[key], join(p, name));
    }
    case 'message': {
      const inner = compile(field.message, options, cache);
      if (!inner) return null;
      return (m, p) => {
        const value = m[key] as Record<string, unknown> | undefined;
        return value ? inner(value, join(p, name)) : undefined;
      };
    }
    case 'list': {
      if (field.listKind === 'enum') {
        const check = enumCheck(field as never);
        return (m, p) => {
          const list = m[key] as unknown[];
          for (let i = 0; i < list.length; i++) {
            const v = check(list[i], `${join(p, name)}[${i}]`);
            if (v) return v;
          }
          return undefined;
        };
      }
      if (field.listKind === 'message') {
        const inner = compile(field.message, options, cache);
        if (!inner) return null;
        return (m, p) => {
          const list = m[key] as Array<Record<string, unknown>>;
          for (let i = 0; i < list.length; i++) {
            const v = inner(list[i], `${join(p, name)}[${i}]`);
            if (v) return v;
          }
          return undefined;
        };
      }
      return null;
    }
    case 'map': {
      if (field.mapKind !== 'message') return null;
      const inner = compile(field.message, options, cache);
      if (!inner) return null;
      return (m, p) => {
        for (const [k, v] of Object.entries(m[key] as Record<string, Record<string, unknown>>)) {
          const violation = inner(v, `${join(p, name)}[${k}]`);
          if (violation) return violation;
        }
        return undefined;
      };
    }
    default:
      return null;
  }
}

function compileOneof(oneof: DescOneof, options: CheckOptions, cache: Map<string, Checker | null>): Checker | null {
  const byCase = new Map<string, (value: unknown, path: string) => FieldViolation | undefined>();
  for (const field of oneof.fields) {
    if (field.fieldKind === 'enum') {
      const check = enumCheck(field);
      byCase.set(field.localName, (v, p) => check(v, join(p, field.name)));
    } else if (field.fieldKind === 'message') {
      const inner = compile(field.message, options, cache);
      if (inner) byCase.set(field.localName, (v, p) => inner(v as Record<string, unknown>, join(p, field.name)));
    }
  }
  if (!byCase.size) return null;
  return (m, p) => {
    const selected = m[oneof.localName] as { case?: string; value?: unknown };
    const check = selected?.case ? byCase.get(selected.case) : undefined;
    return check ? check(selected.value, p) : undefined;
  };
}
