import { create, createFileRegistry } from '@bufbuild/protobuf';
import { FieldDescriptorProto_Type, FileDescriptorProtoSchema, FileDescriptorSetSchema, type FileDescriptorProto } from '@bufbuild/protobuf/wkt';
import { describe, expect, it } from 'vitest';
import { repairReflectedFiles, scopeCandidates } from './repair-reflected-files.js';

/** greet.v1 as @grpc/reflection answers it: names relative, no imports, no json_name. */
function protobufjsStyleFiles(): FileDescriptorProto[] {
  const greet = create(FileDescriptorProtoSchema, {
    name: 'greet_v1.proto',
    package: 'greet.v1',
    syntax: 'proto3',
    messageType: [
      {
        name: 'HelloRequest',
        field: [
          { name: 'sent_at', number: 1, type: FieldDescriptorProto_Type.MESSAGE, typeName: 'google.protobuf.Timestamp' },
          { name: 'mood', number: 2, type: FieldDescriptorProto_Type.ENUM, typeName: 'Mood' },
          { name: 'inner', number: 3, type: FieldDescriptorProto_Type.MESSAGE, typeName: 'Inner' },
        ],
        nestedType: [{ name: 'Inner', field: [{ name: 'deep_value', number: 1, type: FieldDescriptorProto_Type.STRING }] }],
      },
    ],
    enumType: [{ name: 'Mood', value: [{ name: 'MOOD_UNSPECIFIED', number: 0 }] }],
    service: [{ name: 'Greeter', method: [{ name: 'SayHello', inputType: 'HelloRequest', outputType: '.greet.v1.HelloRequest' }] }],
  });
  const timestamp = create(FileDescriptorProtoSchema, {
    name: 'google_protobuf.proto',
    package: 'google.protobuf',
    syntax: 'proto3',
    messageType: [{ name: 'Timestamp', field: [{ name: 'seconds', number: 1, type: FieldDescriptorProto_Type.INT64, jsonName: 'seconds' }] }],
  });
  return [greet, timestamp];
}

describe('repairReflectedFiles', () => {
  it('qualifies relative type names by scope, adds the imports and json names, so the files link', () => {
    const files = protobufjsStyleFiles();
    expect(() => createFileRegistry(create(FileDescriptorSetSchema, { file: [files[1], files[0]] }))).toThrow();
    expect(repairReflectedFiles(files).unresolved).toEqual([]);
    const [greet] = files;
    const request = greet.messageType[0];
    expect(request.field.map((field) => field.typeName)).toEqual(['.google.protobuf.Timestamp', '.greet.v1.Mood', '.greet.v1.HelloRequest.Inner']);
    expect(request.field.map((field) => field.jsonName)).toEqual(['sentAt', 'mood', 'inner']);
    expect(request.nestedType[0].field[0].jsonName).toBe('deepValue');
    expect(greet.service[0].method[0].inputType).toBe('.greet.v1.HelloRequest');
    expect(greet.dependency).toEqual(['google_protobuf.proto']);
    const registry = createFileRegistry(create(FileDescriptorSetSchema, { file: [files[1], files[0]] }));
    expect(registry.getMessage('greet.v1.HelloRequest')?.field.sentAt.message?.typeName).toBe('google.protobuf.Timestamp');
  });

  it('reports names no file defines, with what they could stand for', () => {
    const [greet] = protobufjsStyleFiles();
    expect(repairReflectedFiles([greet]).unresolved).toEqual([
      { name: 'google.protobuf.Timestamp', candidates: ['greet.v1.HelloRequest.google.protobuf.Timestamp', 'greet.v1.google.protobuf.Timestamp', 'greet.google.protobuf.Timestamp', 'google.protobuf.Timestamp'] },
    ]);
  });

  it('leaves conformant files as they are', () => {
    const [, timestamp] = protobufjsStyleFiles();
    const before = structuredClone(timestamp);
    repairReflectedFiles([timestamp]);
    expect(timestamp).toEqual(before);
  });
});

describe('scopeCandidates', () => {
  it('goes from the innermost scope out to the root', () => {
    expect(scopeCandidates('a.b.C', 'D')).toEqual(['a.b.C.D', 'a.b.D', 'a.D', 'D']);
    expect(scopeCandidates('', 'D')).toEqual(['D']);
  });
});
