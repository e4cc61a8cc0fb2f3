import { describe, expect, it } from 'vitest';
import { pageCosts, perPage, topCommandsPerPage } from './page-costs.js';
import { xactDelta } from './pg-query-counter.js';

describe('perPage', () => {
  it('divides and rounds', () => {
    expect(perPage(10_000, 3)).toBe(3333);
    expect(perPage(10, 3, 2)).toBe(3.33);
  });

  it('is null for an unknown amount and 0 without pages', () => {
    expect(perPage(undefined, 10)).toBeNull();
    expect(perPage(null, 10)).toBeNull();
    expect(perPage(5, 0)).toBe(0);
  });
});

describe('pageCosts', () => {
  it('divides every part by the pages and totals apps + postgres + redis', () => {
    const costs = pageCosts({
      pages: 1000,
      appCpuUsPerPage: 2500,
      postgresCpuUs: 1_200_000,
      postgresDatabaseBackendsCpuUs: 900_000,
      redisCpuUs: 300_000,
      pgXacts: 3022,
      pgIdleXactsPerS: 2,
      windowS: 15,
      pgSettleS: 11,
      redisCommands: 12_345,
      redisCommandUs: 450_000,
    });
    expect(costs).toEqual({
      postgresCpuUsPerRequest: 1200,
      postgresDatabaseBackendsCpuUsPerRequest: 900,
      redisCpuUsPerRequest: 300,
      totalCpuUsPerRequest: 4000,
      pgXactsPerRequest: 3,
      pgXactsPerRequestBeyondIdle: 2.97,
      redisCommandsPerRequest: 12.35,
      redisCommandUsPerRequest: 450,
    });
  });

  it('leaves out what was not measured', () => {
    const costs = pageCosts({ pages: 10, appCpuUsPerPage: 700, redisCpuUs: 1000 });
    expect(costs.postgresCpuUsPerRequest).toBeNull();
    expect(costs.pgXactsPerRequest).toBeNull();
    expect(costs.pgXactsPerRequestBeyondIdle).toBeNull();
    expect(costs.redisCommandsPerRequest).toBeNull();
    expect(costs.totalCpuUsPerRequest).toBe(800);
  });

  it('takes nothing off without an idle rate, and never more than was counted', () => {
    expect(pageCosts({ pages: 10, appCpuUsPerPage: 0, pgXacts: 50, windowS: 5, pgSettleS: 11 })).toMatchObject({ pgXactsPerRequest: 5, pgXactsPerRequestBeyondIdle: 5 });
    expect(pageCosts({ pages: 10, appCpuUsPerPage: 0, pgXacts: 50, pgIdleXactsPerS: 4, windowS: 5, pgSettleS: 11 })).toMatchObject({ pgXactsPerRequest: 0.6, pgXactsPerRequestBeyondIdle: 0 });
  });
});

describe('topCommandsPerPage', () => {
  it('lists the most called commands first, per page', () => {
    expect(topCommandsPerPage({ get: 30, evalsha: 10, zrevrange: 300, ping: 1 }, 100, 3)).toEqual({ zrevrange: 3, get: 0.3, evalsha: 0.1 });
    expect(Object.keys(topCommandsPerPage({ get: 30, evalsha: 10, zrevrange: 300 }, 100, 3))).toEqual(['zrevrange', 'get', 'evalsha']);
  });
});

describe('xactDelta', () => {
  it('adds commits and rollbacks in between, less the reader’s own', () => {
    expect(xactDelta({ commits: 100, rollbacks: 2 }, { commits: 400, rollbacks: 5 })).toBe(303);
    expect(xactDelta({ commits: 100, rollbacks: 2 }, { commits: 400, rollbacks: 5 }, 1)).toBe(302);
  });

  it('is undefined without a reading or after a stats reset', () => {
    expect(xactDelta(undefined, { commits: 1, rollbacks: 0 })).toBeUndefined();
    expect(xactDelta({ commits: 100, rollbacks: 0 }, { commits: 3, rollbacks: 0 })).toBeUndefined();
  });
});
