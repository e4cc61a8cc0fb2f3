import { describe, expect, it } from 'vitest';
import { resolveMethod, UsageError } from './method-resolver.js';

describe('resolveMethod', () => {
  it('resolves full and short names from the contracts', () => {
    const full = resolveMethod('feedmesh.feed.v1.FeedService/GetFeed');
    expect(full.path).toBe('/feedmesh.feed.v1.FeedService/GetFeed');
    expect(full.method.input.typeName).toBe('feedmesh.feed.v1.GetFeedRequest');
    expect(full.method.output.typeName).toBe('feedmesh.feed.v1.GetFeedResponse');
    expect(resolveMethod('RankingService/Rank').path).toBe('/feedmesh.ranking.v1.RankingService/Rank');
    expect(resolveMethod('/feedmesh.ranking.v1.RankingService/Rank').method.name).toBe('Rank');
  });

  it('reports unknown services and methods as usage errors', () => {
    expect(() => resolveMethod('NoService/Rank')).toThrow(UsageError);
    expect(() => resolveMethod('RankingService/Nope')).toThrow(/has no method "Nope".*Rank/);
    expect(() => resolveMethod('RankingService')).toThrow(UsageError);
  });
});
