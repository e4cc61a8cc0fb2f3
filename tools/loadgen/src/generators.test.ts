import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseGenerator, parseVariable } from './generators.js';
import { UsageError } from './method-resolver.js';

/** Returns the given sequence of random() values. */
const sequence = (...values: number[]) => {
  let i = 0;
  return () => values[i++ % values.length];
};

describe('generators', () => {
  it('range: integers within bounds, inclusive, with the prefix', () => {
    const generate = parseGenerator('range:u1..u100000', sequence(0, 0.5, 0.999999999));
    expect([generate(), generate(), generate()]).toEqual(['u1', 'u50001', 'u100000']);
    const plain = parseGenerator('range:5..7', sequence(0, 0.34, 0.99));
    expect([plain(), plain(), plain()]).toEqual(['5', '6', '7']);
  });

  it('range: covers the whole range with Math.random', () => {
    const generate = parseGenerator('range:x1..x3');
    const seen = new Set(Array.from({ length: 300 }, generate));
    expect([...seen].sort()).toEqual(['x1', 'x2', 'x3']);
  });

  it('list and file pick among their values', () => {
    const list = parseGenerator('list:a,b,c', sequence(0, 0.4, 0.9));
    expect([list(), list(), list()]).toEqual(['a', 'b', 'c']);
    const dir = mkdtempSync(join(tmpdir(), 'loadgen-'));
    try {
      writeFileSync(join(dir, 'ids.txt'), 'id-1\n\n id-2 \r\nid-3\n');
      const file = parseGenerator(`file:${join(dir, 'ids.txt')}`, sequence(0, 0.5, 0.9));
      expect([file(), file(), file()]).toEqual(['id-1', 'id-2', 'id-3']);
    } finally {
      rmSync(dir, { recursive: true });
    }
  });

  it('uuid gives distinct v4 UUIDs', () => {
    const generate = parseGenerator('uuid');
    const a = generate();
    expect(a).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(generate()).not.toBe(a);
  });

  it('parses name=spec and rejects bad specs as usage errors', () => {
    expect(parseVariable('user=list:u1').name).toBe('user');
    for (const bad of ['user', '=uuid', 'user=range:u1..v9', 'user=range:9..1', 'user=list:', 'user=nope', 'user=file:/no/such/file', 'user=uuid:x']) {
      expect(() => parseVariable(bad), bad).toThrow(UsageError);
    }
  });
});
