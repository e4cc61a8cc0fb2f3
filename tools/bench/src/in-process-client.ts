// A Connect `Client<S>`-shaped object that calls a service implementation directly, in this
// process: no serialization, no HTTP/2, no kit interceptors. What remains is the handler's own
// work, so comparing it with the mesh shows what the mesh itself costs.
import { create, isMessage, type DescMessage, type DescMethod, type DescService } from '@bufbuild/protobuf';
import { ConnectError, createHandlerContext, type CallOptions, type ServiceImpl } from '@connectrpc/connect';
import type { ServiceClient } from '@feedmesh/service-kit';

type UnaryHandler = (request: unknown, context: ReturnType<typeof createHandlerContext>) => unknown;

/** Passing a reason to abort() spares building a DOMException on every call. */
const callFinished = new Error('call finished');

export function createInProcessClient<S extends DescService>(service: S, impl: Partial<ServiceImpl<S>>): ServiceClient<S> {
  const client: Record<string, unknown> = { close: () => {} };
  for (const method of service.methods) {
    if (method.methodKind !== 'unary') continue;
    const handler = (impl as Record<string, UnaryHandler | undefined>)[method.localName];
    if (handler === undefined) continue;
    client[method.localName] = (init: object, options: CallOptions = {}) => callUnary(service, method, handler.bind(impl), init, options);
  }
  return client as unknown as ServiceClient<S>;
}

async function callUnary(service: DescService, method: DescMethod, handler: UnaryHandler, init: object, options: CallOptions): Promise<unknown> {
  const input = method.input as DescMessage;
  const output = method.output as DescMessage;
  const context = createHandlerContext({
    service,
    method,
    protocolName: 'in-process',
    requestMethod: 'POST',
    url: `/${service.typeName}/${method.name}`,
    timeoutMs: options.timeoutMs,
    requestSignal: options.signal,
  });
  try {
    const request = isMessage(init, input) ? init : create(input, init as never);
    const result = await handler(request, context);
    return isMessage(result, output) ? result : create(output, result as never);
  } catch (error) {
    // The kit's server turns anything else into a ConnectError too; callers (breakers) rely on codes.
    throw ConnectError.from(error);
  } finally {
    context.abort(callFinished);
  }
}
