// The demo's users: u1…uN, the seed's ids. Logging in is picking one (no password: a demo).
export function demoUserIds(count: number): string[] {
  return Array.from({ length: count }, (_, i) => `u${i + 1}`);
}

/** True for "u1"…"u<count>" exactly (no "u01", no "u0"). */
export function isDemoUser(userId: unknown, count: number): userId is string {
  if (typeof userId !== 'string' || !/^u[1-9][0-9]{0,5}$/.test(userId)) return false;
  return Number(userId.slice(1)) <= count;
}
