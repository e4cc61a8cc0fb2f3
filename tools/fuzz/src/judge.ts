import { Code } from '@connectrpc/connect';
import { codeName, type Answer } from './answer.js';
import { resolvesInSchema } from './field-naming.js';
import type { WireCase } from './wire-case.js';

/** The properties every case is held to (see the README for why each one). */
export const propertyNames = ['answers', 'no-internal', 'undecodable-invalid-argument', 'invalid-argument-names-field', 'server-alive'] as const;
export type PropertyName = (typeof propertyNames)[number];

export interface Violation {
  readonly property: PropertyName;
  readonly detail: string;
}

/** Codes that mean "the server broke", never a fair answer to any input. */
const brokenCodes = new Set<Code | 0 | undefined>([Code.Internal, Code.Unknown, Code.DataLoss]);

/** The apps' MAX_MESSAGE_BYTES default: a larger request is refused by size, before it is decoded. */
const maxMessageBytes = 4 * 1024 * 1024;

/** HTTP refusals of a request's size (URL or headers too long, body too large), before Connect sees it. */
const sizeRefusals = new Set([413, 414, 431]);

export function judge(c: WireCase, a: Answer): Violation[] {
  const size = c.grpcBody?.length ?? c.http?.body?.length ?? 0;
  // A server may answer an oversized body early and close the connection without reading it
  // (the client then sees EPIPE / ECONNRESET): a fair refusal, as long as it is not a hang.
  if (size > maxMessageBytes && a.failure && !a.failure.startsWith('no answer within')) return [];
  if (a.failure) return [{ property: 'answers', detail: a.failure }];
  const violations: Violation[] = [];
  if (a.httpStatus === 500 || brokenCodes.has(a.code)) {
    violations.push({ property: 'no-internal', detail: `answered ${a.httpStatus === 500 ? 'HTTP 500 ' : ''}${codeName(a.code)}` });
  }
  // A refusal before decoding (load shedding, a size limit) says nothing about decoding or naming.
  if (a.code === Code.ResourceExhausted || size > maxMessageBytes || (a.code === undefined && sizeRefusals.has(a.httpStatus ?? 0))) return violations;
  if ((c.expect === 'malformed' || c.expect === 'field-rejected') && a.code !== Code.InvalidArgument) {
    violations.push({ property: 'undecodable-invalid-argument', detail: `a request that does not decode answered ${codeName(a.code)}, not InvalidArgument` });
  }
  if (a.code === Code.InvalidArgument && (c.expect === 'decoded' || c.expect === 'field-rejected')) {
    const schema = c.target.method.input;
    if (!a.fields.length) {
      violations.push({ property: 'invalid-argument-names-field', detail: 'InvalidArgument names no field (no x-field-violation, no BadRequest detail)' });
    } else if (!a.fields.some((f) => resolvesInSchema(schema, f, c.extraNames))) {
      violations.push({ property: 'invalid-argument-names-field', detail: `InvalidArgument names ${a.fields.map((f) => JSON.stringify(f)).join(', ')}, not a field path of ${schema.typeName}` });
    }
  }
  return violations;
}
