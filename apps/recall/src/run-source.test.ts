import { SourceStatus } from '@feedmesh/contracts';
import { describe, expect, it } from 'vitest';
import type { RecallCandidate, RecallSource } from './recall-candidate.js';
import { runSource } from './run-source.js';

const candidate: RecallCandidate = { item: { id: 'i1', kind: 1, authorId: 'a', createdAtMs: 1 }, sources: [], recallScore: 1 };
const query = { userId: 'u1', user: async () => undefined };
const noLimits = { timeoutMs: 1_000, injectedDelayMs: 0 };

function source(fetch: RecallSource['fetch']): RecallSource {
  return { name: 'test', fetch };
}

describe('runSource', () => {
  it('reports candidates and latency of a source that answers', async () => {
    const run = await runSource(source(async () => [candidate]), query, noLimits, new AbortController().signal);
    expect(run).toMatchObject({ name: 'test', status: SourceStatus.OK, candidates: [candidate], error: '' });
    expect(run.latencyMs).toBeGreaterThanOrEqual(0);
  });

  it('turns a failure into ERROR with its message', async () => {
    const run = await runSource(source(async () => Promise.reject(new Error('redis down'))), query, noLimits, new AbortController().signal);
    expect(run).toMatchObject({ status: SourceStatus.ERROR, candidates: [], error: 'redis down' });
  });

  it('gives up on a slow source at its timeout and aborts its work', async () => {
    let aborted = false;
    const slow = source(
      (_q, signal) =>
        new Promise((_, reject) => {
          signal.addEventListener('abort', () => {
            aborted = true;
            reject(signal.reason as Error);
          });
        }),
    );
    const run = await runSource(slow, query, { timeoutMs: 20, injectedDelayMs: 0 }, new AbortController().signal);
    expect(run).toMatchObject({ status: SourceStatus.TIMEOUT, candidates: [] });
    expect(run.error).toMatch(/20 ms/);
    expect(aborted).toBe(true);
  });

  it('counts an injected delay against the timeout, without calling the source', async () => {
    let called = false;
    const run = await runSource(
      source(async () => {
        called = true;
        return [candidate];
      }),
      query,
      { timeoutMs: 20, injectedDelayMs: 10_000 },
      new AbortController().signal,
    );
    expect(run.status).toBe(SourceStatus.TIMEOUT);
    expect(called).toBe(false);
  });

  it('stops when the call is cancelled', async () => {
    const call = new AbortController();
    const pending = runSource(source((_q, signal) => new Promise((_, reject) => signal.addEventListener('abort', () => reject(new Error('cancelled'))))), query, noLimits, call.signal);
    call.abort(new Error('client went away'));
    expect((await pending).status).toBe(SourceStatus.TIMEOUT);
  });
});
