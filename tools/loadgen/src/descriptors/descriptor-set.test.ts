import { create } from '@bufbuild/protobuf';
import { FileDescriptorProtoSchema } from '@bufbuild/protobuf/wkt';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { UsageError } from '../method-resolver.js';
import { encodeFileDescriptorSet, importsFirst, readProtoset, registryOf } from './descriptor-set.js';

const file = (name: string, dependency: string[] = [], messages: string[] = []) =>
  create(FileDescriptorProtoSchema, { name, package: 'p', syntax: 'proto3', dependency, messageType: messages.map((m) => ({ name: m })) });

const dir = mkdtempSync(join(tmpdir(), 'loadgen-descriptor-set-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('registryOf', () => {
  it('links files given in any order', () => {
    const set = encodeFileDescriptorSet([file('c.proto', ['b.proto'], ['C']), file('a.proto', [], ['A']), file('b.proto', ['a.proto'], ['B'])]);
    const registry = registryOf({ source: 'test', fileDescriptorSet: set });
    expect([...registry.files].map((f) => f.name)).toEqual(['a', 'b', 'c']);
  });

  it('names the file and the import the set lacks', () => {
    const set = encodeFileDescriptorSet([file('b.proto', ['a.proto'])]);
    expect(() => registryOf({ source: '--protoset x.binpb', fileDescriptorSet: set })).toThrow(
      new UsageError('--protoset x.binpb: b.proto imports a.proto, which the set does not hold (build it with its imports)'),
    );
  });

  it('rejects bytes that are not a descriptor set, and empty sets', () => {
    expect(() => registryOf({ source: '--protoset x', fileDescriptorSet: new Uint8Array([0xff, 0xff, 0xff]) })).toThrow(/--protoset x is not a FileDescriptorSet/);
    expect(() => registryOf({ source: '--protoset x', fileDescriptorSet: new Uint8Array() })).toThrow('--protoset x holds no files');
  });
});

describe('importsFirst', () => {
  it('puts every import before the files importing it, and names a cycle', () => {
    expect(importsFirst([file('c', ['a', 'b']), file('b', ['a']), file('a')]).map((f) => f.name)).toEqual(['a', 'b', 'c']);
    expect(() => importsFirst([file('a', ['b']), file('b', ['a'])])).toThrow('import cycle: a → b → a');
  });
});

describe('readProtoset', () => {
  it('reads a set from a file, naming the file when it is missing or not a set', () => {
    const good = join(dir, 'good.binpb');
    writeFileSync(good, encodeFileDescriptorSet([file('a.proto', [], ['A'])]));
    expect(readProtoset(good).source).toBe(`--protoset ${good}`);
    expect(() => readProtoset(join(dir, 'missing.binpb'))).toThrow(`--protoset ${join(dir, 'missing.binpb')}: no such file`);
    const bad = join(dir, 'bad.binpb');
    writeFileSync(bad, 'syntax = "proto3";');
    expect(() => readProtoset(bad)).toThrow(`--protoset ${bad} is not a FileDescriptorSet`);
  });
});
