// When a paging session is gone (expired, its state lost, or the cursor is of another user) the
// aggregator answers FailedPrecondition: "request the first page". The pager does that once per
// iteration, tells the app (its list starts over), and throws a second one: a session that
// cannot survive two pages is a problem to surface, not to loop on.
import { Code, ConnectError } from '@connectrpc/connect';

export interface RestartEvent {
  /** The FailedPrecondition that ended the old session. */
  error: ConnectError;
  /** Pages the old session had yielded before it was lost. */
  afterPage: number;
}

export interface RestartPolicy {
  /** True when `error` should restart paging from the first page (and counts the restart). */
  shouldRestart(error: ConnectError): boolean;
}

/** At most `maxRestarts` (default 1) restarts, each on FailedPrecondition only. */
export function createRestartPolicy(maxRestarts = 1): RestartPolicy {
  let restarts = 0;
  return {
    shouldRestart(error) {
      if (error.code !== Code.FailedPrecondition || restarts >= maxRestarts) return false;
      restarts++;
      return true;
    },
  };
}
