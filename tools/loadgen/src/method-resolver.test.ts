import { describe, expect, it } from 'vitest';
import { create, createFileRegistry } from '@bufbuild/protobuf';
import { FileDescriptorSetSchema } from '@bufbuild/protobuf/wkt';
import { resolveMethod, splitMethodName, UsageError } from './method-resolver.js';

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

  it('resolves in any registry and names its source when the service is not there', () => {
    const registry = createFileRegistry(
      create(FileDescriptorSetSchema, {
        file: [
          {
            name: 'greet.proto',
            package: 'greet.v1',
            syntax: 'proto3',
            messageType: [{ name: 'Hello' }],
            service: [{ name: 'Greeter', method: [{ name: 'SayHello', inputType: '.greet.v1.Hello', outputType: '.greet.v1.Hello' }] }],
          },
        ],
      }),
    );
    const resolved = resolveMethod('Greeter/SayHello', registry, '--protoset greet.binpb');
    expect(resolved.path).toBe('/greet.v1.Greeter/SayHello');
    expect(resolved.registry).toBe(registry);
    expect(() => resolveMethod('RankingService/Rank', registry, '--protoset greet.binpb')).toThrow(
      'unknown service "RankingService" (not in --protoset greet.binpb; it has: greet.v1.Greeter)',
    );
  });
});

describe('splitMethodName', () => {
  it('splits at the last slash, with or without a leading one', () => {
    expect(splitMethodName('/greet.v1.Greeter/SayHello')).toEqual({ serviceName: 'greet.v1.Greeter', methodName: 'SayHello' });
    expect(splitMethodName('Greeter/SayHello')).toEqual({ serviceName: 'Greeter', methodName: 'SayHello' });
    expect(() => splitMethodName('Greeter/')).toThrow(UsageError);
  });
});
