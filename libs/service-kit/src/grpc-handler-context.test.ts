import { RankingService } from '@feedmesh/contracts';
import { Metadata } from '@grpc/grpc-js';
import { describe, expect, it } from 'vitest';
import { CancellableScope } from './call-scope.js';
import { GrpcHandlerContext } from './grpc-handler-context.js';

function handlerContext(deadlineMs = Infinity) {
  const watcher = Object.assign(new CancellableScope(deadlineMs), { watched: 0, watchCancellation: () => void watcher.watched++ });
  const metadata = new Metadata();
  metadata.set('traceparent', '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00');
  const context = new GrpcHandlerContext(RankingService, RankingService.method.rank, metadata, watcher, { kind: 'anonymous' });
  return { context, watcher };
}

describe('GrpcHandlerContext', () => {
  it('subscribes to the call cancellation only when the handler first asks for its signal', () => {
    const { context, watcher } = handlerContext();
    expect(watcher.watched).toBe(0);
    const signal = context.signal;
    expect(context.signal).toBe(signal);
    expect(watcher.watched).toBe(1);
    expect(signal.aborted).toBe(false);
    context.abort(new Error('cancelled'));
    expect(signal.aborted).toBe(true);
    expect(signal.reason).toEqual(new Error('cancelled'));
  });

  it('hands out an already aborted signal when the call ended before anyone looked', () => {
    const { context, watcher } = handlerContext();
    const reason = new Error('deadline');
    context.abort(reason);
    expect(context.signal.aborted).toBe(true);
    expect(context.signal.reason).toBe(reason);
    expect(watcher.watched).toBe(0);
  });

  it('reports the time left until the deadline, or undefined without one', () => {
    expect(handlerContext().context.timeoutMs()).toBeUndefined();
    const left = handlerContext(Date.now() + 1_000).context.timeoutMs()!;
    expect(left).toBeGreaterThan(900);
    expect(left).toBeLessThanOrEqual(1_000);
    expect(handlerContext(Date.now() - 5).context.timeoutMs()).toBe(0);
  });

  it('builds the request headers from the metadata on demand', () => {
    const { context } = handlerContext();
    expect(context.requestHeader.get('traceparent')).toBe('00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00');
    expect(context.responseMetadataHeaders()).toBeUndefined();
    context.responseHeader.set('x-outcome', 'hit');
    expect(context.responseMetadataHeaders()?.get('x-outcome')).toBe('hit');
  });
});
