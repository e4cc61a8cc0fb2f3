import { ScalarType, type DescField, type DescMessage, type DescOneof } from '@bufbuild/protobuf';
import { isWrapperDesc } from '@bufbuild/protobuf/wkt';
import { isIdentifierName, TEXT_RULES, textCheck } from './text-rules.js';

/** A field that violates the contract, by proto path, e.g. `candidates[3].item.kind`. */
export interface FieldViolation {
  field: string;
  reason: string;
}

type Checker = (message: Record<string, unknown>, path: string) => FieldViolation | undefined;
/**
 * Checks one message; a violation's field is relative to it. Paths are built on the way back up
 * from a violation only, so a clean request allocates nothing here.
 */
type Inner = (message: Record<string, unknown>) => FieldViolation | undefined;
type ValueCheck = (value: unknown) => FieldViolation | undefined;

interface CheckOptions {
  rejectUnknownFields: boolean;
}

const recordLists = new WeakSet<DescField>();

/**
 * Marks a repeated message field whose elements the handler validates one by one and reports in
 * its response (RecordEngagement's `events`: "invalid records are rejected one by one"). The
 * message checks skip such a list, so one bad record does not fail the whole request. Call it
 * before the app is served (e.g. where the service implementation is built).
 */
export function validatedPerRecord(field: DescField): void {
  if (field.fieldKind !== 'list' || field.listKind !== 'message') throw new Error(`${field.parent.typeName}.${field.name} is not a repeated message field`);
  recordLists.add(field);
}

/**
 * Builds, once per message type, a checker for what protobuf decoding lets through silently:
 * enum values the schema does not define (proto3 enums are open), strings the shared text rule
 * refuses (text-rules.ts: U+0000, lone surrogates, over-long, control characters in identifier
 * fields) and, optionally, unknown fields (a client built against a different contract). Only
 * fields that can hold such values are visited, each once.
 */
export function compileMessageChecks(schema: DescMessage, options: CheckOptions): Checker {
  const inner = compile(schema, options, new Map());
  if (!inner) return () => undefined;
  return (message, path) => {
    const violation = inner(message);
    return violation && path ? under(path, violation) : violation;
  };
}

/** Prefixes a violation's relative path (mutates it: violations are fresh objects, built on failure only). */
function under(prefix: string, violation: FieldViolation): FieldViolation {
  violation.field = violation.field ? `${prefix}.${violation.field}` : prefix;
  return violation;
}

function compile(schema: DescMessage, options: CheckOptions, cache: Map<string, Inner | null>): Inner | null {
  if (cache.has(schema.typeName)) {
    const known = cache.get(schema.typeName);
    // Recursive types: defer to the cached checker once it exists.
    return known === undefined ? null : known;
  }
  let self: Inner | null = null;
  cache.set(schema.typeName, (m) => self?.(m));
  const fieldChecks: Inner[] = [];
  for (const member of schema.members) {
    const check = member.kind === 'oneof' ? compileOneof(member, options, cache) : compileField(member, options, cache);
    if (check) fieldChecks.push(check);
  }
  const rejectUnknown = options.rejectUnknownFields;
  if (!fieldChecks.length && !rejectUnknown) {
    cache.set(schema.typeName, null);
    return null;
  }
  self = (message) => {
    if (rejectUnknown) {
      const unknown = (message as { $unknown?: Array<{ no: number }> }).$unknown;
      if (unknown?.length) return { field: `#${unknown[0].no}`, reason: `unknown field number ${unknown[0].no} for ${schema.typeName}` };
    }
    for (const check of fieldChecks) {
      const violation = check(message);
      if (violation) return violation;
    }
    return undefined;
  };
  cache.set(schema.typeName, self);
  return self;
}

function enumCheck(field: DescField & { enum: { values: Array<{ number: number }>; typeName: string } }): ValueCheck {
  const defined = new Set(field.enum.values.map((v) => v.number));
  return (value) => (defined.has(value as number) ? undefined : { field: '', reason: `unknown ${field.enum.typeName} value ${String(value)}` });
}

function stringCheck(field: DescField): ValueCheck {
  const problem = textCheck(isIdentifierName(field.name) ? TEXT_RULES.identifier : TEXT_RULES.any);
  return (value) => {
    const reason = problem(value as string);
    return reason === undefined ? undefined : { field: '', reason };
  };
}

/** The check of one singular value of `field` (enum, string or message), or null when it needs none. */
function valueCheck(field: DescField, kind: 'enum' | 'message' | 'scalar' | undefined, options: CheckOptions, cache: Map<string, Inner | null>): ValueCheck | null {
  if (kind === 'enum') return enumCheck(field as never);
  if (kind === 'scalar') return field.scalar === ScalarType.STRING ? stringCheck(field) : null;
  if (kind !== 'message') return null;
  // protobuf-es unboxes singular wrapper fields (google.protobuf.StringValue → string | undefined).
  if (isWrapperDesc(field.message!)) {
    if (field.message.fields[0]!.scalar !== ScalarType.STRING) return null;
    const check = stringCheck(field);
    return (value) => check(typeof value === 'string' ? value : (value as { value: string }).value);
  }
  return compile(field.message!, options, cache) as ValueCheck | null;
}

function compileField(field: DescField, options: CheckOptions, cache: Map<string, Inner | null>): Inner | null {
  const name = field.name;
  const key = field.localName;
  switch (field.fieldKind) {
    case 'enum':
    case 'scalar': {
      const check = valueCheck(field, field.fieldKind, options, cache);
      if (!check) return null;
      return (m) => {
        const v = check(m[key]);
        return v && under(name, v);
      };
    }
    case 'message': {
      const check = valueCheck(field, 'message', options, cache);
      if (!check) return null;
      return (m) => {
        const value = m[key];
        if (value === undefined) return undefined;
        const v = check(value);
        return v && under(name, v);
      };
    }
    case 'list': {
      if (recordLists.has(field)) return null;
      const check = valueCheck(field, field.listKind, options, cache);
      if (!check) return null;
      return (m) => {
        const list = m[key] as unknown[];
        for (let i = 0; i < list.length; i++) {
          const v = check(list[i]);
          if (v) return under(`${name}[${i}]`, v);
        }
        return undefined;
      };
    }
    case 'map': {
      const checkValue = valueCheck(field, field.mapKind, options, cache);
      const checkKey = field.mapKey === ScalarType.STRING ? stringCheck(field) : null;
      if (!checkValue && !checkKey) return null;
      return (m) => {
        const map = m[key] as Record<string, unknown>;
        for (const k in map) {
          // A bad key is not echoed in the path: it would carry the bad text.
          const keyViolation = checkKey?.(k);
          if (keyViolation) return { field: name, reason: `a key ${keyViolation.reason}` };
          const v = checkValue?.(map[k]);
          if (v) return under(`${name}[${k}]`, v);
        }
        return undefined;
      };
    }
    default:
      return null;
  }
}

function compileOneof(oneof: DescOneof, options: CheckOptions, cache: Map<string, Inner | null>): Inner | null {
  const byCase = new Map<string, Inner>();
  for (const field of oneof.fields) {
    const check = valueCheck(field, field.fieldKind as 'enum' | 'message' | 'scalar', options, cache);
    if (check) {
      const name = field.name;
      byCase.set(field.localName, (value) => {
        const v = check(value);
        return v && under(name, v);
      });
    }
  }
  if (!byCase.size) return null;
  return (m) => {
    const selected = m[oneof.localName] as { case?: string; value?: unknown };
    const check = selected?.case ? byCase.get(selected.case) : undefined;
    return check ? check(selected.value as Record<string, unknown>) : undefined;
  };
}
