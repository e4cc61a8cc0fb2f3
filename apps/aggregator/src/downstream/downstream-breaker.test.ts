import { Code, ConnectError } from '@connectrpc/connect';
import { deadlineAfter, loadConfig, runInCallScope } from '@feedmesh/service-kit';
import { createLogger } from '@feedmesh/telemetry';
import { describe, expect, it } from 'vitest';
import { aggregatorEnvSpec } from '../env.js';
import { DownstreamBreaker } from './downstream-breaker.js';
import { failureCode } from './failure-code.js';

const logger = createLogger('test', { level: 'silent' });
const settings = { errorThresholdPercentage: 50, volumeThreshold: 3, resetTimeoutMs: 60_000 };

describe('DownstreamBreaker', () => {
  it('opens after repeated service failures and then fails fast without calling', async () => {
    const breaker = new DownstreamBreaker('ranking', settings, logger);
    let calls = 0;
    const failing = async () => {
      calls++;
      throw new ConnectError('down', Code.Unavailable);
    };
    for (let i = 0; i < 3; i++) await expect(breaker.call(failing)).rejects.toMatchObject({ code: Code.Unavailable });
    expect(breaker.state).toBe('open');
    const error = await breaker.call(failing).catch((e: unknown) => e);
    expect(failureCode(error)).toBe('circuit_open');
    expect(calls).toBe(3);
    breaker.shutdown();
  });

  it('does not count caller errors against the service', async () => {
    const breaker = new DownstreamBreaker('ranking', settings, logger);
    const invalid = async () => {
      throw new ConnectError('bad', Code.InvalidArgument);
    };
    for (let i = 0; i < 5; i++) await expect(breaker.call(invalid)).rejects.toMatchObject({ code: Code.InvalidArgument });
    expect(breaker.state).toBe('closed');
    expect(await breaker.call(async () => 42)).toBe(42);
    breaker.shutdown();
  });

  it("does not count deadline expiries cut short by the caller's own deadline, nor cancellations", async () => {
    const breaker = new DownstreamBreaker('render', settings, logger);
    const expired = async () => {
      throw new ConnectError('late', Code.DeadlineExceeded);
    };
    const almostLate = deadlineAfter(10);
    for (let i = 0; i < 5; i++) {
      // The stage wanted 200 ms but the request being served had ~10 ms left.
      await expect(runInCallScope(almostLate, () => breaker.call(expired, 200))).rejects.toMatchObject({ code: Code.DeadlineExceeded });
      await expect(breaker.call(async () => Promise.reject(new ConnectError('cancelled', Code.Canceled)))).rejects.toMatchObject({ code: Code.Canceled });
    }
    expect(breaker.state).toBe('closed');
    breaker.shutdown();
    // With its full budget available, an expiry is the downstream's.
    const fresh = new DownstreamBreaker('render', settings, logger);
    const onTime = deadlineAfter(60_000);
    for (let i = 0; i < 3; i++) await runInCallScope(onTime, () => fresh.call(expired, 200)).catch(() => undefined);
    expect(fresh.state).toBe('open');
    fresh.shutdown();
  });
});

describe('DownstreamBreaker with the default settings', () => {
  it('tries a dependency again within 600 ms of opening, and closes when it answers', async () => {
    // What costs a restarted dependency its first seconds back: the wait before the trial call.
    const env = loadConfig(aggregatorEnvSpec, 8080, {});
    const breaker = new DownstreamBreaker(
      'render',
      { errorThresholdPercentage: env.BREAKER_ERROR_PERCENT, volumeThreshold: env.BREAKER_VOLUME_THRESHOLD, resetTimeoutMs: env.BREAKER_RESET_MS },
      logger,
    );
    const down = async () => Promise.reject(new ConnectError('down', Code.Unavailable));
    for (let i = 0; i < env.BREAKER_VOLUME_THRESHOLD; i++) await breaker.call(down).catch(() => undefined);
    expect(breaker.state).toBe('open');
    await new Promise((r) => setTimeout(r, 600));
    expect(await breaker.call(async () => 'back')).toBe('back');
    expect(breaker.state).toBe('closed');
    breaker.shutdown();
  });
});

describe('DownstreamBreaker trial calls', () => {
  const defaults = () => {
    const env = loadConfig(aggregatorEnvSpec, 8080, {});
    return { errorThresholdPercentage: env.BREAKER_ERROR_PERCENT, volumeThreshold: env.BREAKER_VOLUME_THRESHOLD, resetTimeoutMs: env.BREAKER_RESET_MS };
  };
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
  const opened = async (breaker: DownstreamBreaker) => {
    for (let i = 0; i < defaults().volumeThreshold; i++) await breaker.call(async () => Promise.reject(new ConnectError('down', Code.Unavailable))).catch(() => undefined);
    expect(breaker.state).toBe('open');
    await sleep(defaults().resetTimeoutMs + 50);
  };

  it('tries again within ~100 ms when a trial is refused (a restarted service whose channel is still reconnecting)', async () => {
    const breaker = new DownstreamBreaker('recall', defaults(), logger);
    await opened(breaker);
    await expect(breaker.call(async () => Promise.reject(new ConnectError('connection refused', Code.Unavailable)))).rejects.toMatchObject({ code: Code.Unavailable });
    expect(breaker.state).toBe('open');
    await sleep(150);
    expect(await breaker.call(async () => 'back')).toBe('back');
    expect(breaker.state).toBe('closed');
    breaker.shutdown();
  });

  it('waits the whole open period after a trial that failed slowly (it cost its request a stage budget), and after a refused one it waits it again when the circuit next opens', async () => {
    const breaker = new DownstreamBreaker('recall', defaults(), logger);
    await opened(breaker);
    await expect(breaker.call(async () => Promise.reject(new ConnectError('late', Code.DeadlineExceeded)))).rejects.toMatchObject({ code: Code.DeadlineExceeded });
    await sleep(150);
    expect(failureCode(await breaker.call(async () => 'too early').catch((e: unknown) => e))).toBe('circuit_open');
    await sleep(defaults().resetTimeoutMs);
    await expect(breaker.call(async () => Promise.reject(new ConnectError('refused', Code.Unavailable)))).rejects.toMatchObject({ code: Code.Unavailable });
    await sleep(150);
    expect(await breaker.call(async () => 'back')).toBe('back');
    // A new outage gets the whole open period again, not the short retry.
    for (let i = 0; i < defaults().volumeThreshold; i++) await breaker.call(async () => Promise.reject(new ConnectError('down', Code.Unavailable))).catch(() => undefined);
    expect(breaker.state).toBe('open');
    await sleep(150);
    expect(failureCode(await breaker.call(async () => 'too early').catch((e: unknown) => e))).toBe('circuit_open');
    breaker.shutdown();
  });
});

describe('failureCode', () => {
  it('names Connect codes in lower snake case', () => {
    expect(failureCode(new ConnectError('x', Code.DeadlineExceeded))).toBe('deadline_exceeded');
    expect(failureCode(new ConnectError('x', Code.Unavailable))).toBe('unavailable');
    expect(failureCode(new Error('x'))).toBe('internal');
  });
});
