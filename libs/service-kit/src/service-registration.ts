import type { DescService } from '@bufbuild/protobuf';
import type { ServiceImpl } from '@connectrpc/connect';

/** One service an app serves: its descriptor (from @feedmesh/contracts) and its implementation. */
export interface ServiceRegistration<S extends DescService = DescService> {
  service: S;
  impl: Partial<ServiceImpl<S>>;
}

export function service<S extends DescService>(desc: S, impl: ServiceImpl<S>): ServiceRegistration {
  return { service: desc, impl } as unknown as ServiceRegistration;
}
