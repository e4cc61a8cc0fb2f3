import type { DescMethod, DescService } from '@bufbuild/protobuf';
import { MethodOptions_IdempotencyLevel } from '@bufbuild/protobuf/wkt';
import { contractFiles } from '@feedmesh/contracts';

/** The ways a client can put a request on the wire; each is fuzzed on its own. */
export type Protocol = 'grpc' | 'connect-json' | 'connect-proto' | 'get-proto' | 'get-json';

export interface FuzzTarget {
  readonly service: DescService;
  readonly method: DescMethod & { methodKind: 'unary' };
  /** `FeedService/GetFeed`, for test names and reports. */
  readonly name: string;
  readonly protocols: readonly Protocol[];
}

/** Every service of the contracts by short name (`FeedService`), read from the descriptors. */
export function contractServices(): Map<string, DescService> {
  const services = new Map<string, DescService>();
  for (const file of contractFiles) for (const service of file.services) services.set(service.name, service);
  return services;
}

/**
 * The unary methods of one service with the protocols each one accepts: Connect GET only for
 * methods declared free of side effects (the Connect protocol allows GET for no others).
 */
export function fuzzTargets(serviceName: string): FuzzTarget[] {
  const service = contractServices().get(serviceName);
  if (!service) throw new Error(`no service ${serviceName} in @feedmesh/contracts`);
  return service.methods
    .filter((m): m is DescMethod & { methodKind: 'unary' } => m.methodKind === 'unary')
    .map((method) => ({
      service,
      method,
      name: `${service.name}/${method.name}`,
      protocols:
        method.idempotency === MethodOptions_IdempotencyLevel.NO_SIDE_EFFECTS
          ? ['grpc', 'connect-json', 'connect-proto', 'get-proto', 'get-json']
          : ['grpc', 'connect-json', 'connect-proto'],
    }));
}
