import { describe, expect, it } from 'vitest';
import { UsageError } from '../method-resolver.js';
import { loadDescriptors, resolveMethodIn } from './load-descriptors.js';

describe('loadDescriptors', () => {
  it('uses the contracts unless a source is named, and one source at most', async () => {
    await expect(loadDescriptors({ target: 't', method: 'RankingService/Rank' })).resolves.toBeUndefined();
    await expect(loadDescriptors({ target: 't', method: 'm', reflect: true, protoset: 'x.binpb' })).rejects.toThrow(
      new UsageError('use one of --reflect, --protoset, not several'),
    );
    await expect(loadDescriptors({ target: 't', method: 'm', protoFiles: ['a.proto'], protoset: 'x.binpb' })).rejects.toThrow('use one of --proto, --protoset, not several');
    await expect(loadDescriptors({ target: 't', method: 'm', importPaths: ['.'] })).rejects.toThrow('--import-path needs at least one --proto file');
    await expect(loadDescriptors({ target: 't', method: 'no-slash', reflect: true })).rejects.toThrow('--method must look like');
  });

  it('resolves against the contracts when there are no descriptors', () => {
    expect(resolveMethodIn('RankingService/Rank', undefined).path).toBe('/feedmesh.ranking.v1.RankingService/Rank');
  });
});
