import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { Cluster, Redis } from 'ioredis';
import { now, sleep } from './clock.js';

const run = promisify(execFile);

/** One redis-server of the cluster. */
export interface ClusterNodeProcess {
  readonly port: number;
  readonly child: ChildProcess;
}

/** A real Redis Cluster of the test's own: 3 masters, one replica each, on free ports. */
export interface RedisCluster {
  /** host:port,… as REDIS_CLUSTER_NODES takes it. */
  readonly nodes: string;
  readonly ports: readonly number[];
  /** The current masters' ports, with the slot ranges each serves. */
  masters(): Promise<{ port: number; slots: string }[]>;
  /** The port of the replica of the master on masterPort. */
  replicaOf(masterPort: number): Promise<number>;
  /** kill -9 of the node on port; resolves with the time it was sent. */
  kill(port: number): Promise<number>;
  /** Resolves with the time every live node reports cluster_state:ok and port's replica serves as master. */
  waitForPromotion(replicaPort: number, timeoutMs: number): Promise<number>;
  /** A Cluster client on it, for the test's own reads and writes. */
  client(): Cluster;
  destroy(): Promise<void>;
}

async function askNode(port: number, ...command: [string, ...string[]]): Promise<string> {
  const redis = new Redis(port, '127.0.0.1', { lazyConnect: true, maxRetriesPerRequest: 0, connectTimeout: 500, retryStrategy: () => null });
  try {
    await redis.connect();
    return (await redis.call(...command)) as string;
  } finally {
    redis.disconnect();
  }
}

const clusterInfo = (port: number) => askNode(port, 'CLUSTER', 'INFO');
const infoReplication = (port: number) => askNode(port, 'INFO', 'replication');

/**
 * Starts 6 redis-servers with cluster mode on, joins them with `redis-cli --cluster create
 * --cluster-replicas 1` and waits until every node says cluster_state:ok. A node that stops
 * answering for nodeTimeoutMs counts as failed, and its replica is promoted.
 */
export async function startRedisCluster({ nodeTimeoutMs = 1_000 }: { nodeTimeoutMs?: number } = {}): Promise<RedisCluster> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'feedmesh-faults-redis-cluster-'));
  const ports: number[] = [];
  while (ports.length < 6) ports.push(await clusterNodePort(ports));
  const processes = new Map<number, ChildProcess>();
  const destroy = async () => {
    await Promise.all(
      [...processes.values()].map(async (child) => {
        if (child.exitCode !== null || child.signalCode !== null) return;
        const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
        child.kill('SIGKILL');
        await exited;
      }),
    );
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await Promise.all(ports.map((port) => startNode(port, dir, nodeTimeoutMs, processes)));
    await run('redis-cli', ['--cluster', 'create', ...ports.map((p) => `127.0.0.1:${p}`), '--cluster-replicas', '1', '--cluster-yes']);
    await waitForClusterOk(ports, 30_000);
  } catch (error) {
    await destroy();
    throw error;
  }

  const nodesOf = async (port: number) => {
    const redis = new Redis(port, '127.0.0.1', { maxRetriesPerRequest: 0 });
    try {
      return ((await redis.call('CLUSTER', 'NODES')) as string).trim().split('\n').map((line) => line.split(' '));
    } finally {
      redis.disconnect();
    }
  };
  const livePort = () => ports.find((p) => processes.get(p)?.exitCode === null && processes.get(p)?.signalCode === null)!;
  const portOfAddress = (address: string) => Number(/:(\d+)@/.exec(address)![1]);

  return {
    nodes: ports.map((p) => `127.0.0.1:${p}`).join(','),
    ports,
    async masters() {
      return (await nodesOf(livePort()))
        .filter((fields) => fields[2]!.includes('master') && !fields[2]!.includes('fail'))
        .map((fields) => ({ port: portOfAddress(fields[1]!), slots: fields.slice(8).join(' ') }));
    },
    async replicaOf(masterPort) {
      const nodes = await nodesOf(livePort());
      const master = nodes.find((fields) => portOfAddress(fields[1]!) === masterPort)!;
      const replica = nodes.find((fields) => fields[3] === master[0]);
      if (!replica) throw new Error(`the master on ${masterPort} has no replica`);
      return portOfAddress(replica[1]!);
    },
    async kill(port) {
      const child = processes.get(port)!;
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      const at = now();
      child.kill('SIGKILL');
      await exited;
      return at;
    },
    async waitForPromotion(replicaPort, timeoutMs) {
      const deadline = now() + timeoutMs;
      for (;;) {
        const live = ports.filter((p) => processes.get(p)?.exitCode === null && processes.get(p)?.signalCode === null);
        const infos = await Promise.all(live.map((p) => clusterInfo(p).catch(() => '')));
        const promoted = (await nodesOf(replicaPort)).some((fields) => fields[2]!.includes('myself') && fields[2]!.includes('master'));
        if (promoted && infos.every((info) => info.includes('cluster_state:ok'))) return now();
        if (now() > deadline) throw new Error(`the replica on ${replicaPort} was not promoted within ${timeoutMs} ms`);
        await sleep(50);
      }
    },
    client: () => new Cluster(ports.map((port) => ({ host: '127.0.0.1', port }))),
    destroy,
  };
}

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** A port free for a node and for its cluster bus (the port + 10000), below the OS's ephemeral range. */
async function clusterNodePort(taken: readonly number[]): Promise<number> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    if (taken.includes(port) || taken.includes(port - 10_000) || taken.includes(port + 10_000)) continue;
    if ((await canListen(port)) && (await canListen(port + 10_000))) return port;
  }
  throw new Error('no free port pair for a Redis Cluster node');
}

function startNode(port: number, dir: string, nodeTimeoutMs: number, processes: Map<number, ChildProcess>): Promise<void> {
  return new Promise((resolve, reject) => {
    // No persistence: a killed master's data lives on in its replica only, as in a cache-only deployment.
    const child = spawn(
      'redis-server',
      ['--port', String(port), '--bind', '127.0.0.1', '--protected-mode', 'no', '--cluster-enabled', 'yes', '--cluster-config-file', `nodes-${port}.conf`,
        '--cluster-node-timeout', String(nodeTimeoutMs), '--save', '', '--appendonly', 'no', '--dir', dir, '--dbfilename', `dump-${port}.rdb`,
        // Redis 7 waits 5 s before a diskless full sync; a replica not yet in sync cannot take over.
        '--repl-diskless-sync-delay', '0'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    processes.set(port, child);
    let output = '';
    const timer = setTimeout(() => reject(new Error(`redis-server on ${port} not ready after 10 s:\n${output}`)), 10_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('Ready to accept connections')) {
        clearTimeout(timer);
        child.stdout?.off('data', onData).resume();
        resolve();
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.resume();
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`redis-server on ${port} exited with ${code}:\n${output}`));
    });
  });
}

/** Until every node says cluster_state:ok and every replica's link to its master is up (synced). */
async function waitForClusterOk(ports: readonly number[], timeoutMs: number): Promise<void> {
  const deadline = now() + timeoutMs;
  for (;;) {
    const infos = await Promise.all(ports.map((p) => clusterInfo(p).catch(() => '')));
    const replication = await Promise.all(ports.map((p) => infoReplication(p).catch(() => '')));
    const replicasSynced = replication.every((info) => !info.includes('role:slave') || info.includes('master_link_status:up'));
    if (infos.every((info) => info.includes('cluster_state:ok')) && replicasSynced && replication.filter((info) => info.includes('role:slave')).length === 3) return;
    if (now() > deadline) throw new Error(`the cluster on ${ports.join(',')} was not ok and synced within ${timeoutMs} ms`);
    await sleep(100);
  }
}

/**
 * Copies every key of a standalone Redis into the cluster (DUMP / RESTORE, TTLs kept): the seed
 * tool writes one Redis through a raw pipelined socket, so the test seeds a standalone server
 * and moves its keys, each to the master its hash slot belongs to.
 */
export async function copyKeysIntoCluster(sourceUrl: string, cluster: Cluster): Promise<number> {
  const source = new Redis(sourceUrl);
  // SCAN may return a key twice; each is copied once.
  const copied = new Set<string>();
  try {
    let cursor = '0';
    do {
      const [next, keys] = await source.scan(cursor, 'COUNT', 500);
      cursor = next;
      const fresh = keys.filter((key) => !copied.has(key));
      const dumps = await Promise.all(fresh.map(async (key) => [key, await source.dumpBuffer(key), await source.pttl(key)] as const));
      await Promise.all(dumps.map(([key, dump, ttl]) => (dump ? cluster.restore(key, ttl > 0 ? ttl : 0, dump, 'REPLACE') : undefined)));
      for (const key of fresh) copied.add(key);
    } while (cursor !== '0');
    const expected = await source.dbsize();
    if (copied.size !== expected) throw new Error(`copied ${copied.size} keys into the cluster, the source holds ${expected}`);
  } finally {
    source.disconnect();
  }
  return copied.size;
}
