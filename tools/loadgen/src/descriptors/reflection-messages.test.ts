import { BinaryReader, BinaryWriter, WireType } from '@bufbuild/protobuf/wire';
import { describe, expect, it } from 'vitest';
import { decodeReflectionResponse, encodeReflectionRequest } from './reflection-messages.js';

/** [field number, string value] pairs of an encoded request. */
function fieldsOf(bytes: Uint8Array): [number, string][] {
  const reader = new BinaryReader(bytes);
  const fields: [number, string][] = [];
  while (reader.pos < reader.len) fields.push([reader.tag()[0], reader.string()]);
  return fields;
}

describe('reflection messages', () => {
  it('encodes each request in its field of ServerReflectionRequest', () => {
    expect(fieldsOf(encodeReflectionRequest({ fileByFilename: 'a/b.proto' }))).toEqual([[3, 'a/b.proto']]);
    expect(fieldsOf(encodeReflectionRequest({ fileContainingSymbol: 'greet.v1.Greeter' }))).toEqual([[4, 'greet.v1.Greeter']]);
    expect(fieldsOf(encodeReflectionRequest({ listServices: true }))).toEqual([[7, '*']]);
  });

  it('decodes files, service lists and errors, skipping the fields it does not need', () => {
    const files = new BinaryWriter();
    files.tag(1, WireType.LengthDelimited).string('host'); // valid_host
    files.tag(4, WireType.LengthDelimited).fork().tag(1, WireType.LengthDelimited).bytes(new Uint8Array([1, 2])).tag(1, WireType.LengthDelimited).bytes(new Uint8Array([3])).join();
    expect(decodeReflectionResponse(files.finish())).toEqual({ kind: 'files', fileDescriptorProtos: [new Uint8Array([1, 2]), new Uint8Array([3])] });

    const services = new BinaryWriter();
    services.tag(6, WireType.LengthDelimited).fork();
    for (const name of ['a.A', 'b.B']) services.tag(1, WireType.LengthDelimited).fork().tag(1, WireType.LengthDelimited).string(name).join();
    services.join();
    expect(decodeReflectionResponse(services.finish())).toEqual({ kind: 'services', services: ['a.A', 'b.B'] });

    const error = new BinaryWriter();
    error.tag(7, WireType.LengthDelimited).fork().tag(1, WireType.Varint).int32(5).tag(2, WireType.LengthDelimited).string('symbol not found').join();
    expect(decodeReflectionResponse(error.finish())).toEqual({ kind: 'error', code: 5, message: 'symbol not found' });
  });
});
