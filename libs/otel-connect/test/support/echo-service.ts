import { create, createFileRegistry } from '@bufbuild/protobuf';
import type { GenService } from '@bufbuild/protobuf/codegenv2';
import {
  file_google_protobuf_wrappers,
  FileDescriptorProtoSchema,
  Int32ValueSchema,
  StringValueSchema,
} from '@bufbuild/protobuf/wkt';

// A tiny service built at runtime, so the tests need no generated code and cover a streaming
// method (the feedmesh contracts are all unary):
//
//   package test.echo.v1;
//   service EchoService {
//     rpc Echo(google.protobuf.StringValue) returns (google.protobuf.StringValue);
//     rpc Countdown(google.protobuf.Int32Value) returns (stream google.protobuf.StringValue);
//   }
const echoFile = create(FileDescriptorProtoSchema, {
  name: 'test/echo/v1/echo.proto',
  package: 'test.echo.v1',
  syntax: 'proto3',
  dependency: ['google/protobuf/wrappers.proto'],
  service: [
    {
      name: 'EchoService',
      method: [
        { name: 'Echo', inputType: '.google.protobuf.StringValue', outputType: '.google.protobuf.StringValue' },
        {
          name: 'Countdown',
          inputType: '.google.protobuf.Int32Value',
          outputType: '.google.protobuf.StringValue',
          serverStreaming: true,
        },
      ],
    },
  ],
});

const registry = createFileRegistry(echoFile, (name) =>
  name === 'google/protobuf/wrappers.proto' ? file_google_protobuf_wrappers : undefined,
);

export const EchoService = registry.getService('test.echo.v1.EchoService') as GenService<{
  echo: { methodKind: 'unary'; input: typeof StringValueSchema; output: typeof StringValueSchema };
  countdown: { methodKind: 'server_streaming'; input: typeof Int32ValueSchema; output: typeof StringValueSchema };
}>;
