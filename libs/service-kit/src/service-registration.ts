import type { DescService, MessageShape } from '@bufbuild/protobuf';
import type { ServiceImpl } from '@connectrpc/connect';
import type { NamedUsers } from '@feedmesh/identity';

/**
 * Per method of an edge service: the users its request names as the one acting (whose feed is
 * read, who publishes, follows, records engagement), as [field path, user id] pairs. Every method
 * must say (a new method cannot forget); one that names nobody returns `[]`.
 */
export type ActingUserRules<S extends DescService> = {
  [K in keyof S['method']]: (request: MessageShape<S['method'][K]['input']>) => NamedUsers;
};

/**
 * Who may call a service:
 * - `edge`: end users and trusted services (AUTH_MODE), each request acting only as its caller;
 * - `mesh`: only the mesh's own apps (MESH_AUTH).
 */
export type ServiceAccess<S extends DescService = DescService> = { edge: ActingUserRules<S> } | 'mesh';

/** One service an app serves: its descriptor (from @feedmesh/contracts), its implementation, and who may call it. */
export interface ServiceRegistration<S extends DescService = DescService> {
  service: S;
  impl: Partial<ServiceImpl<S>>;
  access: ServiceAccess<S>;
}

export function service<S extends DescService>(desc: S, impl: ServiceImpl<S>, access: ServiceAccess<S>): ServiceRegistration {
  return { service: desc, impl, access } as unknown as ServiceRegistration;
}

/** The acting-user rule of one method of an edge service; undefined for a mesh service. */
export function actingUserRule(registration: ServiceRegistration, methodLocalName: string): ((request: unknown) => NamedUsers) | undefined {
  const { access } = registration;
  if (access === 'mesh') return undefined;
  return (access.edge as Record<string, (request: unknown) => NamedUsers>)[methodLocalName];
}
