import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { compileProtos, locateProto } from './compile-protos.js';
import { registryOf } from './descriptor-set.js';

const ECHO = join(__dirname, '..', '..', 'test', 'fixtures', 'echo');
const GREETER = join(ECHO, 'greet', 'v1', 'greeter.proto');
const dir = mkdtempSync(join(tmpdir(), 'loadgen-compile-protos-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('locateProto', () => {
  it('finds a file by path under an import path, or by its name relative to one', () => {
    expect(locateProto(GREETER, [dir, ECHO])).toEqual({ root: 1, name: 'greet/v1/greeter.proto' });
    expect(locateProto('greet/v1/mood.proto', [dir, ECHO])).toEqual({ root: 1, name: 'greet/v1/mood.proto' });
    expect(() => locateProto('greet/v1/nope.proto', [ECHO])).toThrow(`--proto greet/v1/nope.proto: not found (import paths: ${ECHO})`);
    expect(() => locateProto(GREETER, [dir])).toThrow(`--proto ${GREETER}: is not under any --import-path`);
  });
});

describe('compileProtos', () => {
  it('compiles a file and its imports into a set that links, with json names', () => {
    const descriptors = compileProtos({ protoFiles: [GREETER], importPaths: [ECHO] });
    const registry = registryOf(descriptors);
    const request = registry.getMessage('greet.v1.HelloRequest')!;
    expect(request.field.mood.enum?.typeName).toBe('greet.v1.Mood');
    expect(request.field.mood.enum?.file.name).toBe('greet/v1/mood');
    expect(request.field.sentAt.jsonName).toBe('sentAt');
    expect(registry.getService('greet.v1.Greeter')?.methods.map((m) => m.name)).toEqual(['SayHello', 'Chat']);
  });

  it('takes the file’s directory as the import path when none is given', () => {
    const mood = join(ECHO, 'greet', 'v1', 'mood.proto');
    expect(registryOf(compileProtos({ protoFiles: [mood], importPaths: [] })).getEnum('greet.v1.Mood')).toBeDefined();
  });

  it('reports compile errors at the paths the user gave, not buf’s workspace', () => {
    mkdirSync(join(dir, 'pkg'), { recursive: true });
    writeFileSync(join(dir, 'pkg', 'bad.proto'), 'syntax = "proto3";\npackage pkg;\nmessage Bad { Missing m = 1; }\n');
    let message = '';
    try {
      compileProtos({ protoFiles: ['pkg/bad.proto'], importPaths: [dir] });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toContain('--proto pkg/bad.proto does not compile:');
    expect(message).toContain(`${join(dir, 'pkg', 'bad.proto')}:3:15:`);
    expect(message).toContain('Missing');
    expect(message).not.toMatch(/\bi0\//);
  });

  it('refuses an import path that is not a directory', () => {
    expect(() => compileProtos({ protoFiles: [GREETER], importPaths: [join(dir, 'nope')] })).toThrow(`--import-path ${join(dir, 'nope')}: not a directory`);
  });
});
