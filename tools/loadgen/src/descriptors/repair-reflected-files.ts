// Servers whose reflection re-encodes descriptors through protobufjs (@grpc/reflection, the usual
// grpc-js one) answer with files that do not link: type names relative to the message
// ("Mood" rather than ".greet.v1.Mood"), no `dependency` list and no json_name. This rewrites such
// names to fully-qualified ones by protobuf's scoping rules (innermost scope first), records the
// file that defines each as a dependency, and fills json_name as protoc does (lowerCamelCase),
// so createFileRegistry links the files and proto JSON bodies parse. Conformant files pass unchanged.
import { protoCamelCase } from '@bufbuild/protobuf/reflect';
import type { DescriptorProto, FileDescriptorProto } from '@bufbuild/protobuf/wkt';

export interface LinkResult {
  /** Relative names no file defines, each with the fully-qualified names it could stand for (innermost first). */
  readonly unresolved: readonly { readonly name: string; readonly candidates: readonly string[] }[];
}

export function repairReflectedFiles(files: readonly FileDescriptorProto[]): LinkResult {
  const definedIn = new Map<string, FileDescriptorProto>();
  for (const file of files) {
    const prefix = file.package === '' ? '' : `${file.package}.`;
    for (const message of file.messageType) collectMessage(message, prefix, file, definedIn);
    for (const enumType of file.enumType) definedIn.set(`${prefix}${enumType.name}`, file);
  }
  const unresolved: { name: string; candidates: string[] }[] = [];
  const link = (file: FileDescriptorProto, scope: string, typeName: string): string => {
    if (typeName === '' || typeName.startsWith('.')) return typeName;
    const candidates = scopeCandidates(scope, typeName);
    const found = candidates.find((candidate) => definedIn.has(candidate));
    if (found === undefined) {
      unresolved.push({ name: typeName, candidates });
      return typeName;
    }
    const owner = definedIn.get(found)!;
    if (owner !== file && !file.dependency.includes(owner.name)) file.dependency.push(owner.name);
    return `.${found}`;
  };
  for (const file of files) {
    const prefix = file.package === '' ? '' : `${file.package}.`;
    for (const message of file.messageType) linkMessage(message, `${prefix}${message.name}`, file, link);
    for (const service of file.service) {
      for (const method of service.method) {
        const inputType = link(file, file.package, method.inputType);
        const outputType = link(file, file.package, method.outputType);
        // Assigned only when changed: these are proto2 fields, and assigning marks them present.
        if (inputType !== method.inputType) method.inputType = inputType;
        if (outputType !== method.outputType) method.outputType = outputType;
      }
    }
  }
  return { unresolved };
}

function collectMessage(message: DescriptorProto, prefix: string, file: FileDescriptorProto, into: Map<string, FileDescriptorProto>): void {
  const name = `${prefix}${message.name}`;
  into.set(name, file);
  for (const nested of message.nestedType) collectMessage(nested, `${name}.`, file, into);
  for (const enumType of message.enumType) into.set(`${name}.${enumType.name}`, file);
}

function linkMessage(
  message: DescriptorProto,
  scope: string,
  file: FileDescriptorProto,
  link: (file: FileDescriptorProto, scope: string, typeName: string) => string,
): void {
  for (const field of [...message.field, ...message.extension]) {
    const typeName = link(file, scope, field.typeName);
    if (typeName !== field.typeName) field.typeName = typeName;
  }
  for (const field of message.field) if (field.jsonName === '') field.jsonName = protoCamelCase(field.name);
  for (const nested of message.nestedType) linkMessage(nested, `${scope}.${nested.name}`, file, link);
}

/** "Mood" used in "greet.v1.HelloRequest" may mean greet.v1.HelloRequest.Mood, greet.v1.Mood, greet.Mood or Mood. */
export function scopeCandidates(scope: string, typeName: string): string[] {
  const parts = scope === '' ? [] : scope.split('.');
  const candidates: string[] = [];
  for (let length = parts.length; length >= 0; length--) candidates.push([...parts.slice(0, length), typeName].join('.'));
  return candidates;
}
