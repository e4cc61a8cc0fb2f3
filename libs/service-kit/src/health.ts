import type { DescService } from '@bufbuild/protobuf';
import type * as grpc from '@grpc/grpc-js';
import { HealthImplementation } from 'grpc-health-check';

/** `grpc.health.v1.Health` for the app ('') and each service it serves. */
export class GrpcHealth {
  private readonly health: HealthImplementation;
  // Watch streams never end on their own: they are tracked and ended at shutdown (after they
  // saw NOT_SERVING), or they would hold the server open until the grace period runs out.
  private readonly watchStreams = new Set<grpc.ServerWritableStream<unknown, unknown>>();

  constructor(
    server: grpc.Server,
    private readonly services: DescService[],
  ) {
    this.health = new HealthImplementation({ '': 'SERVING', ...Object.fromEntries(services.map((s) => [s.typeName, 'SERVING'])) });
    const { watchStreams } = this;
    this.health.addToServer({
      addService: (definition, impl) =>
        server.addService(definition as grpc.ServiceDefinition, {
          ...(impl as grpc.UntypedServiceImplementation),
          watch: (call: grpc.ServerWritableStream<unknown, unknown>) => {
            watchStreams.add(call);
            call.once('cancelled', () => watchStreams.delete(call));
            (impl.watch as grpc.handleServerStreamingCall<unknown, unknown>)(call);
          },
        }),
    });
  }

  notServing(): void {
    this.health.setStatus('', 'NOT_SERVING');
    for (const s of this.services) this.health.setStatus(s.typeName, 'NOT_SERVING');
  }

  endWatches(): void {
    for (const call of this.watchStreams) call.end();
  }
}
