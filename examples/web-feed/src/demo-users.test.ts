import { describe, expect, it } from 'vitest';
import { demoUserIds, isDemoUser } from './demo-users.js';

describe('demo users', () => {
  it('are u1…uN', () => {
    expect(demoUserIds(3)).toEqual(['u1', 'u2', 'u3']);
  });

  it('accepts exactly u1…uN', () => {
    expect(isDemoUser('u1', 3)).toBe(true);
    expect(isDemoUser('u3', 3)).toBe(true);
    for (const other of ['u4', 'u0', 'u01', 'U1', ' u1', 'u1 ', 'admin', '', 1, null, undefined]) expect(isDemoUser(other, 3), String(other)).toBe(false);
  });
});
