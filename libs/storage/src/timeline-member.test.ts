import { describe, expect, it } from 'vitest';
import { decodeTimelineMember, encodeTimelineMember } from './timeline-member.js';

const id = '0f8c2f6e-3c3b-4b0e-9a43-1d5f1f2f0e11';

describe('timeline member codec', () => {
  it('round-trips every kind', () => {
    for (const kind of [1, 2, 3]) {
      const encoded = encodeTimelineMember({ id, kind, authorId: 'u42' });
      expect(encoded).toBe(`${id}|${kind}|u42`);
      expect(decodeTimelineMember(encoded)).toEqual({ id, kind, authorId: 'u42' });
    }
  });

  it('refuses values it could not decode again', () => {
    expect(() => encodeTimelineMember({ id, kind: 0, authorId: 'u1' })).toThrow();
    expect(() => encodeTimelineMember({ id, kind: 4, authorId: 'u1' })).toThrow();
    expect(() => encodeTimelineMember({ id, kind: 1, authorId: 'u|1' })).toThrow();
    expect(() => encodeTimelineMember({ id: '', kind: 1, authorId: 'u1' })).toThrow();
  });

  it('rejects malformed members', () => {
    for (const bad of ['', id, `${id}|1`, `${id}|9|u1`, `${id}|1|`, `|1|u1`, `${id}|1|u1|x`, `${id}|01|u1`, `${id}|x|u1`]) {
      expect(() => decodeTimelineMember(bad), bad).toThrow();
    }
  });
});
