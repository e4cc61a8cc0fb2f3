import type { DescMethod, DescService } from '@bufbuild/protobuf';
import { type ContextValues, type HandlerContext, createContextValues } from '@connectrpc/connect';
import type { Caller } from '@feedmesh/identity';
import type { Metadata } from '@grpc/grpc-js';
import { callerKey } from './caller-context.js';
import type { Deadline } from './deadline.js';

/**
 * Connect's HandlerContext for calls served by grpc-js. Connect's own createHandlerContext builds
 * an AbortController, three Headers and a timer per call; on the hot path those cost more than
 * the rest of the hop, so everything here is created only when a handler asks for it.
 * Even the subscription to the call's cancellation waits for the first look at `signal`.
 */
export class GrpcHandlerContext implements HandlerContext {
  readonly requestMethod = 'POST';
  readonly protocolName = 'grpc';
  private controller: AbortController | undefined;
  private aborted: unknown = undefined;
  private isAborted = false;
  private lazyHeader: Headers | undefined;
  private lazyResponseHeader: Headers | undefined;
  private lazyResponseTrailer: Headers | undefined;
  private lazyValues: ContextValues | undefined;

  constructor(
    readonly service: DescService,
    readonly method: DescMethod,
    private readonly metadata: Metadata,
    /** The served call: its deadline (for `deadlineOf`), told when the signal is first asked for; the call's cancellation then arrives as `abort()`. */
    readonly deadline: Deadline & { watchCancellation(): void },
    /** Who is calling (the kit's auth step), for `callerOf(ctx)`. */
    private readonly caller: Caller,
  ) {}

  get url(): string {
    return `/${this.service.typeName}/${this.method.name}`;
  }

  get signal(): AbortSignal {
    if (!this.controller) {
      this.controller = new AbortController();
      if (this.isAborted) this.controller.abort(this.aborted);
      else this.deadline.watchCancellation();
    }
    return this.controller.signal;
  }

  timeoutMs(): number | undefined {
    const { expiresAt } = this.deadline;
    return expiresAt === Infinity ? undefined : Math.max(0, expiresAt - Date.now());
  }

  get requestHeader(): Headers {
    if (!this.lazyHeader) {
      const headers = new Headers();
      for (const [key, value] of Object.entries(this.metadata.getMap())) {
        headers.set(key, typeof value === 'string' ? value : Buffer.from(value).toString('base64'));
      }
      this.lazyHeader = headers;
    }
    return this.lazyHeader;
  }

  get responseHeader(): Headers {
    return (this.lazyResponseHeader ??= new Headers());
  }

  get responseTrailer(): Headers {
    return (this.lazyResponseTrailer ??= new Headers());
  }

  get values(): ContextValues {
    return (this.lazyValues ??= createContextValues().set(callerKey, this.caller));
  }

  /** Headers the handler set, if any, to send back as metadata. */
  responseMetadataHeaders(): Headers | undefined {
    return this.lazyResponseHeader;
  }

  abort(reason: unknown): void {
    if (this.isAborted) return;
    this.isAborted = true;
    this.aborted = reason;
    this.controller?.abort(reason);
  }
}
