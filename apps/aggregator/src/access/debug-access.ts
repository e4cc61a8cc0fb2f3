// Who may see GetFeed's debug output and ExplainFeedItem: stage timings, per-source stats and the
// ranking's score breakdowns, which spell out the model's weights. FEED_DEBUG says: everyone
// (allow; the development default), trusted services only (service: the BFF, ops tools — an end
// user's token never), or nobody (deny).
import { Code, ConnectError, type HandlerContext } from '@connectrpc/connect';
import { callerOf } from '@feedmesh/service-kit';

export type DebugSetting = 'allow' | 'service' | 'deny';

export interface DebugAccess {
  /** Throws PermissionDenied naming `debug` when this caller may not see debug output. */
  check(ctx: HandlerContext): void;
}

export function debugAccessFromSetting(setting: DebugSetting): DebugAccess {
  return {
    check(ctx) {
      if (setting === 'allow' || (setting === 'service' && callerOf(ctx).kind === 'service')) return;
      const who = setting === 'service' ? 'only service callers may ask for it' : 'not permitted (FEED_DEBUG=deny)';
      throw new ConnectError(`debug: ${who}; send the request without debug`, Code.PermissionDenied);
    },
  };
}
