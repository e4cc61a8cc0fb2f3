import { createHandlerContext } from '@connectrpc/connect';
import { RankingService } from '@feedmesh/contracts';
import { describe, expect, it } from 'vitest';
import { runInCallScope } from './call-scope.js';
import { cappedDeadline, currentDeadline, deadlineAfter, deadlineOf } from './deadline.js';

const context = (timeoutMs?: number) =>
  createHandlerContext({ service: RankingService, method: RankingService.method.rank, protocolName: 'connect', requestMethod: 'POST', url: '/rank', timeoutMs });

describe('cappedDeadline', () => {
  it("cuts the caller's deadline to the cap, and gives the cap to callers that set none", () => {
    expect(cappedDeadline(1_500, 30_000, 1_000)).toBe(1_500);
    expect(cappedDeadline(60_000, 30_000, 1_000)).toBe(31_000);
    expect(cappedDeadline(undefined, 30_000, 1_000)).toBe(31_000);
  });
});

describe('Deadline', () => {
  it('tells the time left and shares it', () => {
    const deadline = deadlineAfter(1_000);
    expect(deadline.callerDeadline).toBe(deadline.expiresAt);
    expect(deadline.remaining()).toBeGreaterThan(990);
    expect(deadline.remaining()).toBeLessThanOrEqual(1_000);
    expect(deadline.share(0.5)).toBeLessThanOrEqual(500);
    expect(deadline.share(0.5, 100)).toBe(100);
    expect(deadlineAfter(-5).remaining()).toBe(0);
  });

  it('has no caller deadline and an endless time left when none was set', () => {
    const deadline = deadlineAfter(undefined);
    expect(deadline.callerDeadline).toBeUndefined();
    expect(deadline.remaining()).toBe(Infinity);
    expect(deadline.share(0.5, 250)).toBe(250);
  });

  it("is the call scope's for code under a served call, and a handler context's outside the kit", () => {
    const deadline = deadlineAfter(2_000);
    expect(runInCallScope(deadline, currentDeadline)).toBe(deadline);
    expect(currentDeadline()).toBeUndefined();

    const ctx = context(800);
    const fromContext = deadlineOf(ctx);
    expect(fromContext.callerDeadline).toBeGreaterThan(Date.now() + 700);
    expect(fromContext.signal).toBe(ctx.signal);
    expect(deadlineOf(context()).callerDeadline).toBeUndefined();
  });

  it('aborts its signal when cancelled', () => {
    const deadline = deadlineAfter(1_000);
    const { signal } = deadline;
    deadline.cancel();
    expect(signal.aborted).toBe(true);
  });
});
