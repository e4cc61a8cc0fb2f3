/**
 * The hop benchmark (BENCHMARKS.md §1): client + server CPU per unary request for the service
 * kit vs a bare grpc-js hop vs stock connect-node, same messages, one run, alternating variants
 * over several rounds so machine noise hits all three alike.
 *
 *   npm run bench -- hop [--rounds 3] [--rate 1000] [--duration-ms 4000] [--shape tiny,feed]
 *
 * Default is an open loop at a fixed rate: each variant then does the same work per second and
 * CPU per request compares like for like. `--rate 0` switches to a closed loop at --concurrency
 * (max throughput), where a faster stack also batches more per syscall and looks cheaper still.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

type Variant = 'bare' | 'kit' | 'connect';
const variants: Variant[] = ['bare', 'kit', 'connect'];

interface Sample {
  variant: Variant;
  shape: string;
  rps: number;
  clientUs: number;
  serverUs: number;
  totalUs: number;
  p50Us: number;
  p99Us: number;
}

function once<T>(child: ChildProcess, type: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const onMessage = (m: { type: string }) => {
      if (m.type === type) {
        child.off('message', onMessage);
        resolve(m as T);
      }
    };
    child.on('message', onMessage);
    child.once('exit', (code) => reject(new Error(`child exited (${code}) before "${type}"`)));
  });
}

async function measure(variant: Variant, shape: string, concurrency: number, warmupMs: number, durationMs: number): Promise<Sample> {
  const server = fork(join(__dirname, 'hop-server.js'), [variant], { execPath: process.execPath, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  try {
    const { port } = await once<{ port: number }>(server, 'listening');
    const client = fork(join(__dirname, 'hop-client.js'), [variant, `127.0.0.1:${port}`, shape, String(concurrency), String(warmupMs), String(durationMs)], {
      execPath: process.execPath,
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    await once(client, 'measuring');
    server.send({ type: 'cpu' });
    const before = await once<{ us: number }>(server, 'cpu');
    const result = await once<{ requests: number; seconds: number; cpuUs: number; p50: number; p99: number }>(client, 'result');
    server.send({ type: 'cpu' });
    const after = await once<{ us: number }>(server, 'cpu');
    // The server's window runs a little past the client's (IPC round trip); it is idle then.
    const clientUs = result.cpuUs / result.requests;
    const serverUs = (after.us - before.us) / result.requests;
    return {
      variant,
      shape,
      rps: Math.round(result.requests / result.seconds),
      clientUs: Math.round(clientUs),
      serverUs: Math.round(serverUs),
      totalUs: Math.round(clientUs + serverUs),
      p50Us: result.p50,
      p99Us: result.p99,
    };
  } finally {
    server.kill('SIGKILL');
  }
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

export async function runHopBenchmark(options: { rounds: number; concurrency: number; warmupMs: number; durationMs: number; shapes: string[] }) {
  const samples: Sample[] = [];
  for (let round = 1; round <= options.rounds; round++) {
    for (const shape of options.shapes) {
      for (const variant of variants) {
        const sample = await measure(variant, shape, options.concurrency, options.warmupMs, options.durationMs);
        samples.push(sample);
        console.error(`round ${round} ${shape.padEnd(4)} ${variant.padEnd(7)} ${String(sample.rps).padStart(6)} rps  client ${sample.clientUs} µs  server ${sample.serverUs} µs  total ${sample.totalUs} µs  p50 ${sample.p50Us} µs`);
      }
    }
  }
  const summary = options.shapes.flatMap((shape) =>
    variants.map((variant) => {
      const of = samples.filter((s) => s.shape === shape && s.variant === variant);
      return {
        shape,
        variant,
        rps: median(of.map((s) => s.rps)),
        clientUs: median(of.map((s) => s.clientUs)),
        serverUs: median(of.map((s) => s.serverUs)),
        totalUs: median(of.map((s) => s.totalUs)),
        p50Us: median(of.map((s) => s.p50Us)),
        p99Us: median(of.map((s) => s.p99Us)),
      };
    }),
  );
  // Ratios per round (same round = same machine conditions), then the median of those ratios.
  const ratios = options.shapes.map((shape) => {
    const per = (variant: Variant) => samples.filter((s) => s.shape === shape && s.variant === variant).map((s) => s.totalUs);
    const bare = per('bare');
    return {
      shape,
      kitVsBare: median(per('kit').map((v, i) => v / bare[i])),
      connectVsBare: median(per('connect').map((v, i) => v / bare[i])),
    };
  });
  return { summary, ratios, samples };
}

if (require.main === module) {
  const { values } = parseArgs({
    options: {
      rounds: { type: 'string', default: '3' },
      concurrency: { type: 'string', default: '16' },
      rate: { type: 'string', default: '1000' },
      'warmup-ms': { type: 'string', default: '1500' },
      'duration-ms': { type: 'string', default: '4000' },
      shape: { type: 'string', default: 'tiny,feed' },
    },
  });
  process.env.HOP_RATE = values.rate;
  void runHopBenchmark({
    rounds: Number(values.rounds),
    concurrency: Number(values.concurrency),
    warmupMs: Number(values['warmup-ms']),
    durationMs: Number(values['duration-ms']),
    shapes: values.shape!.split(','),
  }).then(({ summary, ratios }) => {
    console.log('\nshape variant   rps     client µs  server µs  total µs  p50 µs  p99 µs');
    for (const s of summary) {
      console.log(`${s.shape.padEnd(5)} ${s.variant.padEnd(8)} ${String(s.rps).padStart(6)}  ${String(s.clientUs).padStart(9)}  ${String(s.serverUs).padStart(9)}  ${String(s.totalUs).padStart(8)}  ${String(s.p50Us).padStart(6)}  ${String(s.p99Us).padStart(6)}`);
    }
    for (const r of ratios) console.log(`${r.shape}: kit/bare = ${r.kitVsBare.toFixed(2)}×, connect/bare = ${r.connectVsBare.toFixed(2)}×`);
    console.log(JSON.stringify({ benchmark: 'hop', summary, ratios }));
  });
}
