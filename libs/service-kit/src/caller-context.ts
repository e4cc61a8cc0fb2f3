import { createContextKey, type HandlerContext } from '@connectrpc/connect';
import { anonymousCaller, type Caller } from '@feedmesh/identity';

/** The caller the kit's auth step established, on every handler's context (both protocols). */
export const callerKey = createContextKey<Caller>(anonymousCaller);

/** Who is calling the handler being served: `callerOf(ctx).kind === 'service'`, … */
export function callerOf(ctx: HandlerContext): Caller {
  return ctx.values.get(callerKey);
}
