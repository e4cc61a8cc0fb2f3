// Who may see GetFeed's debug output: stage timings, per-source stats and the ranking's score
// breakdowns, which spell out the model's weights. Callers are not authenticated yet, so today
// one setting (FEED_DEBUG) answers for everyone; when requests carry an identity, a permission
// check on it replaces `debugAccessFromSetting` here, and nothing else changes.
import { Code, ConnectError, type HandlerContext } from '@connectrpc/connect';

export interface DebugAccess {
  /** Throws PermissionDenied naming `debug` when this caller may not see debug output. */
  check(ctx: HandlerContext): void;
}

export function debugAccessFromSetting(setting: 'allow' | 'deny'): DebugAccess {
  return {
    check() {
      if (setting === 'deny') throw new ConnectError('debug: not permitted for this caller; send the request without debug', Code.PermissionDenied);
    },
  };
}
