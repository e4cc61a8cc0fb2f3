// The few grpc.reflection.v1 (and wire-identical v1alpha) messages the client needs, encoded by
// hand with protobuf-es's wire codec: a dozen fields do not justify shipping reflection.proto and
// a compiler step. Field numbers are from grpc/reflection/v1/reflection.proto.
import { BinaryReader, BinaryWriter, WireType } from '@bufbuild/protobuf/wire';

export type ReflectionRequest = { readonly fileContainingSymbol: string } | { readonly fileByFilename: string } | { readonly listServices: true };

export type ReflectionResponse =
  | { readonly kind: 'files'; readonly fileDescriptorProtos: readonly Uint8Array[] }
  | { readonly kind: 'services'; readonly services: readonly string[] }
  | { readonly kind: 'error'; readonly code: number; readonly message: string }
  | { readonly kind: 'other' };

export function encodeReflectionRequest(request: ReflectionRequest): Buffer {
  const writer = new BinaryWriter();
  if ('fileByFilename' in request) writer.tag(3, WireType.LengthDelimited).string(request.fileByFilename);
  else if ('fileContainingSymbol' in request) writer.tag(4, WireType.LengthDelimited).string(request.fileContainingSymbol);
  else writer.tag(7, WireType.LengthDelimited).string('*');
  return Buffer.from(writer.finish());
}

export function decodeReflectionResponse(bytes: Uint8Array): ReflectionResponse {
  const reader = new BinaryReader(bytes);
  let response: ReflectionResponse = { kind: 'other' };
  while (reader.pos < reader.len) {
    const [field, wireType] = reader.tag();
    if (field === 4 && wireType === WireType.LengthDelimited) {
      response = { kind: 'files', fileDescriptorProtos: repeatedBytes(reader.bytes(), 1) };
    } else if (field === 6 && wireType === WireType.LengthDelimited) {
      const services = repeatedBytes(reader.bytes(), 1).map((service) => {
        const names = repeatedBytes(service, 1);
        return names.length === 0 ? '' : new TextDecoder().decode(names[0]);
      });
      response = { kind: 'services', services };
    } else if (field === 7 && wireType === WireType.LengthDelimited) {
      response = decodeError(reader.bytes());
    } else {
      reader.skip(wireType, field);
    }
  }
  return response;
}

/** The values of one length-delimited repeated field of a message (bytes, strings, sub-messages). */
function repeatedBytes(message: Uint8Array, wanted: number): Uint8Array[] {
  const reader = new BinaryReader(message);
  const values: Uint8Array[] = [];
  while (reader.pos < reader.len) {
    const [field, wireType] = reader.tag();
    if (field === wanted && wireType === WireType.LengthDelimited) values.push(reader.bytes());
    else reader.skip(wireType, field);
  }
  return values;
}

function decodeError(message: Uint8Array): ReflectionResponse {
  const reader = new BinaryReader(message);
  let code = 0;
  let text = '';
  while (reader.pos < reader.len) {
    const [field, wireType] = reader.tag();
    if (field === 1 && wireType === WireType.Varint) code = reader.int32();
    else if (field === 2 && wireType === WireType.LengthDelimited) text = reader.string();
    else reader.skip(wireType, field);
  }
  return { kind: 'error', code, message: text };
}
