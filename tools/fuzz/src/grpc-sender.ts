import * as grpc from '@grpc/grpc-js';
import type { Answer } from './answer.js';
import { fieldViolationKey, statusDetailFields } from './field-naming.js';

const identity = (b: Buffer) => b;

/**
 * Sends request bytes as they are over gRPC (HTTP/2, grpc-js): no serializer on the way, so
 * malformed messages reach the server exactly as generated.
 */
export class GrpcSender {
  private readonly client: grpc.Client;

  constructor(
    address: string,
    private readonly timeoutMs: number,
  ) {
    this.client = new grpc.Client(address, grpc.credentials.createInsecure(), {
      'grpc.max_send_message_length': -1,
      'grpc.max_receive_message_length': -1,
    });
  }

  send(path: string, body: Uint8Array): Promise<Answer> {
    return new Promise((resolve) => {
      this.client.makeUnaryRequest(path, identity, identity, Buffer.from(body), new grpc.Metadata(), { deadline: Date.now() + this.timeoutMs }, (error, _value) => {
        if (!error) return resolve({ code: 0, message: '', fields: [] });
        const fields = error.metadata?.get(fieldViolationKey).map(String) ?? [];
        for (const details of error.metadata?.get('grpc-status-details-bin') ?? []) fields.push(...statusDetailFields(details as Buffer));
        // grpc-js reports a dead or unreachable server as UNAVAILABLE without server metadata.
        const lost = error.code === grpc.status.UNAVAILABLE && /No connection established|Connection dropped|ECONNREFUSED|ECONNRESET/.test(error.details);
        const timedOut = error.code === grpc.status.DEADLINE_EXCEEDED && /Deadline exceeded/.test(error.details) && !error.metadata?.get('content-type').length;
        resolve({
          code: error.code as number,
          message: error.details,
          fields,
          ...(lost ? { failure: `connection lost (${error.details})` } : timedOut ? { failure: `no answer within ${this.timeoutMs} ms` } : {}),
        });
      });
    });
  }

  close(): void {
    this.client.close();
  }
}
