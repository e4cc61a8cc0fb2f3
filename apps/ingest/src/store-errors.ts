import { Code, ConnectError } from '@connectrpc/connect';
import { unavailable } from '@feedmesh/service-kit';
import { storeFailureKind } from '@feedmesh/storage';

/**
 * The gRPC error a Postgres failure should be answered with (storage's storeFailureKind), or
 * undefined when it is not a failure of the store's availability (then it stays an internal
 * error). Unavailable is what clients (and the kit's client) retry; callers read "the item
 * store is unavailable", the driver's text goes to the log.
 */
export function storeFailure(error: unknown): ConnectError | undefined {
  if (error instanceof ConnectError || !(error instanceof Error)) return undefined;
  switch (storeFailureKind(error)) {
    case 'unavailable':
      return unavailable(`postgres: ${error.message}`, { component: 'the item store', cause: error });
    case 'aborted':
      return new ConnectError('the write collided with a concurrent one; retry', Code.Aborted, undefined, undefined, error);
    default:
      return undefined;
  }
}
