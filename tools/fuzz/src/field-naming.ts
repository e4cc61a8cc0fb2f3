import type { DescField, DescMessage } from '@bufbuild/protobuf';
import { BinaryReader } from '@bufbuild/protobuf/wire';

/**
 * How an error names a field, the service kit's convention (libs/service-kit/src/errors.ts): the
 * `x-field-violation` header (Connect) or trailer (gRPC) holds the proto path, e.g.
 * `events[3].item_id`. A `google.rpc.BadRequest` detail's field violations count too, so
 * either way of naming a field satisfies the property.
 */
export const fieldViolationKey = 'x-field-violation';

/** Field paths of the `google.rpc.BadRequest` in an encoded detail (field_violations = 1, field = 1). */
export function badRequestFields(value: Uint8Array): string[] {
  const fields: string[] = [];
  try {
    const reader = new BinaryReader(value);
    while (reader.pos < reader.len) {
      const [no, wireType] = reader.tag();
      if (no !== 1) {
        reader.skip(wireType);
        continue;
      }
      const violation = new BinaryReader(reader.bytes());
      while (violation.pos < violation.len) {
        const [vno, vwt] = violation.tag();
        if (vno === 1) fields.push(violation.string());
        else violation.skip(vwt);
      }
    }
  } catch {
    // A detail that does not decode names nothing.
  }
  return fields;
}

/** BadRequest details inside a gRPC `grpc-status-details-bin` (google.rpc.Status: details = 3, Any{type_url = 1, value = 2}). */
export function statusDetailFields(status: Uint8Array): string[] {
  const fields: string[] = [];
  try {
    const reader = new BinaryReader(status);
    while (reader.pos < reader.len) {
      const [no, wireType] = reader.tag();
      if (no !== 3) {
        reader.skip(wireType);
        continue;
      }
      const any = new BinaryReader(reader.bytes());
      let typeUrl = '';
      let value: Uint8Array = new Uint8Array(0);
      while (any.pos < any.len) {
        const [ano, awt] = any.tag();
        if (ano === 1) typeUrl = any.string();
        else if (ano === 2) value = any.bytes();
        else any.skip(awt);
      }
      if (typeUrl.endsWith('google.rpc.BadRequest')) fields.push(...badRequestFields(value));
    }
  } catch {
    // As above.
  }
  return fields;
}

const segmentPattern = /^([A-Za-z_][A-Za-z0-9_]*|#\d+)((?:\[[^\]]*\])*)$/;

/**
 * Whether `path` names a field of `schema`: each segment a declared field (or oneof) by its proto
 * name, indexed only where the field repeats, descending only into message fields; the last one
 * may be an unknown field's number (`#12`) or one of `extraNames` (an unknown JSON key the request sent).
 */
export function resolvesInSchema(schema: DescMessage, path: string, extraNames: readonly string[] = []): boolean {
  const segments = path.split('.');
  let message: DescMessage = schema;
  for (let i = 0; i < segments.length; i++) {
    const last = i === segments.length - 1;
    const match = segmentPattern.exec(segments[i]!);
    if (!match) return last && extraNames.includes(segments[i]!);
    const [, name, indices] = match;
    if (name!.startsWith('#')) return last && indices === '';
    const field: DescField | undefined = message.fields.find((f) => f.name === name);
    if (!field) {
      const oneof = message.oneofs.find((o) => o.name === name);
      if (oneof) return last && indices === '';
      return last && indices === '' && extraNames.includes(name!);
    }
    if (indices && field.fieldKind !== 'list' && field.fieldKind !== 'map') return false;
    if (last) return true;
    const inner = field.fieldKind === 'message' ? field.message : field.fieldKind === 'list' && field.listKind === 'message' ? field.message : field.fieldKind === 'map' && field.mapKind === 'message' ? field.message : undefined;
    if (!inner) return false;
    message = inner;
  }
  return false;
}
