import { ConnectError } from '@connectrpc/connect';

/** The error a call was refused with, for tests; throws (failing the test) when the call succeeded or failed with something else. */
export async function errorOf(call: Promise<unknown>): Promise<ConnectError> {
  const outcome = await call.then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  if (!(outcome instanceof ConnectError)) throw new Error(outcome === undefined ? 'expected the call to be refused, but it succeeded' : `expected a ConnectError, got ${String(outcome)}`);
  return outcome;
}
