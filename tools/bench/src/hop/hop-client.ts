/**
 * One client variant of the hop benchmark, run in its own process. Closed loop at a fixed
 * concurrency; reports requests, CPU time and latency percentiles of the measured window.
 *   bare    — grpc-js Client.makeUnaryRequest with protobuf-es codecs, no tracing
 *   kit     — createServiceClient from the service kit, tracing on
 *   connect — Connect client over connect-node's gRPC transport (HTTP/2), compression off
 */
const [variant, address, shape, concurrencyArg, warmupArg, durationArg] = process.argv.slice(2);
if (variant === 'kit' && !process.env.HOP_NO_TRACE) {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  (require('@feedmesh/telemetry') as typeof import('@feedmesh/telemetry')).startTelemetry({ serviceName: 'hop-bench-client' });
}

import { fromBinary, toBinary, type DescMethodUnary } from '@bufbuild/protobuf';
import * as hdr from 'hdr-histogram-js';
import { methods, requestFor, type Shape } from './messages.js';

type Call = () => Promise<unknown>;

async function makeCall(): Promise<Call> {
  const method = methods[shape as Shape];
  const request = requestFor(shape as Shape);
  if (variant === 'bare') {
    const grpc = await import('@grpc/grpc-js');
    const client = new grpc.Client(address, grpc.credentials.createInsecure());
    const path = `/${method.parent.typeName}/${method.name}`;
    const serialize = (v: unknown) => Buffer.from(toBinary(method.input, v as never));
    const deserialize = (b: Buffer) => fromBinary(method.output, b);
    return () =>
      new Promise((resolve, reject) =>
        client.makeUnaryRequest(path, serialize, deserialize, request, new grpc.Metadata(), { deadline: Date.now() + 5000 }, (e, r) => (e ? reject(e) : resolve(r))),
      );
  }
  if (variant === 'kit') {
    const { createGrpcTransport } = await import('@feedmesh/service-kit');
    const transport = createGrpcTransport({ address });
    return () => transport.unary(method as DescMethodUnary, undefined, undefined, undefined, request as never);
  }
  const { createGrpcTransport } = await import('@connectrpc/connect-node');
  const transport = createGrpcTransport({ baseUrl: `http://${address}`, sendCompression: null, acceptCompression: [] } as never);
  return () => transport.unary(method as DescMethodUnary, undefined, 5000, undefined, request as never);
}

async function main() {
  const call = await makeCall();
  const concurrency = Number(concurrencyArg);
  const histogram = hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 60_000_000, numberOfSignificantValueDigits: 3 });
  let recording = false;
  let stop = false;
  let requests = 0;
  const worker = async () => {
    while (!stop) {
      const t0 = process.hrtime.bigint();
      await call();
      if (recording) {
        histogram.recordValue(Number(process.hrtime.bigint() - t0) / 1000);
        requests++;
      }
    }
  };
  // Open loop at a fixed rate (HOP_RATE, requests/s): every variant does the same work per second,
  // so CPU per request compares like for like (a faster stack batches more per syscall in a closed loop).
  const rate = Number(process.env.HOP_RATE ?? 0);
  let inflight = 0;
  const openLoop = async () => {
    const start = performance.now();
    let sent = 0;
    while (!stop) {
      const due = Math.floor(((performance.now() - start) / 1000) * rate);
      for (; sent < due && inflight < 256; sent++) {
        inflight++;
        const t0 = process.hrtime.bigint();
        void call().then(() => {
          inflight--;
          if (recording) {
            histogram.recordValue(Number(process.hrtime.bigint() - t0) / 1000);
            requests++;
          }
        });
      }
      await new Promise((r) => setTimeout(r, 1));
    }
  };
  const workers = rate > 0 ? [openLoop()] : Array.from({ length: concurrency }, worker);
  await new Promise((r) => setTimeout(r, Number(warmupArg)));
  process.send?.({ type: 'measuring' });
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  recording = true;
  await new Promise((r) => setTimeout(r, Number(durationArg)));
  recording = false;
  const cpu = process.cpuUsage(cpu0);
  const seconds = (performance.now() - t0) / 1000;
  stop = true;
  await Promise.all(workers);
  process.send?.({
    type: 'result',
    requests,
    seconds,
    cpuUs: cpu.user + cpu.system,
    p50: histogram.getValueAtPercentile(50),
    p99: histogram.getValueAtPercentile(99),
  });
  process.exit(0);
}

void main();
