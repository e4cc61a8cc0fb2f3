// One vitest test per RPC and protocol, all built from the descriptors by @feedmesh/fuzz.
import { toBinary } from '@bufbuild/protobuf';
import { Code } from '@connectrpc/connect';
import type { SpawnedApp } from '@feedmesh/service-kit';
import { expect, it } from 'vitest';
import { ConnectSender, formatReport, fuzzMethod, fuzzSettings, fuzzTargets, GrpcSender, printAnswer, type FuzzTarget, type ShapeContext } from '../../src/index.js';
import { exitedApp, unhealthyApps } from './servers.js';

export const settings = fuzzSettings();

const refusals = new Set<number | undefined>([Code.ResourceExhausted, Code.Unavailable, Code.Internal, Code.Unknown]);

/**
 * The method's seed requests, sent again over gRPC and Connect once the run is over: a server
 * that still answers /readyz but refuses everything (leaked admission slots, a broken pool) is
 * not "alive and healthy afterwards".
 */
async function refusedSeeds(target: FuzzTarget, app: SpawnedApp, ctx: ShapeContext): Promise<string[]> {
  const problems: string[] = [];
  const grpc = new GrpcSender(app.address, 10_000);
  const http = new ConnectSender(`http://${app.address}`, 10_000);
  try {
    for (const example of ctx.examples?.get(target.method.input.typeName) ?? []) {
      const bytes = toBinary(target.method.input, example);
      const path = `/${target.service.typeName}/${target.method.name}`;
      const answers = [await grpc.send(path, bytes), await http.send({ method: 'POST', pathAndQuery: path, headers: { 'content-type': 'application/proto' }, body: bytes })];
      answers.forEach((a, i) => {
        if (a.failure || refusals.has(a.code)) problems.push(`${i ? 'Connect' : 'gRPC'}: ${printAnswer(a)}`);
      });
    }
  } finally {
    grpc.close();
  }
  return problems;
}

/** Generous per test: a case costs a few ms, and CI boxes are slow. */
const msPerCase = 40;

/**
 * Defines the tests of one service: each method over each protocol it accepts, `runsPerRpc`
 * cases spread over them. `serve()` gives the app serving it and every app that must survive.
 */
export function fuzzService(serviceName: string, runsPerRpc: number, serve: () => { app: SpawnedApp; apps: SpawnedApp[]; ctx: ShapeContext }): void {
  for (const target of fuzzTargets(serviceName)) {
    const runs = Math.ceil(runsPerRpc / target.protocols.length);
    for (const protocol of target.protocols) {
      it(`${target.name} over ${protocol}`, { timeout: 60_000 + runs * msPerCase }, async () => {
        const { app, apps, ctx } = serve();
        const report = await fuzzMethod(target, protocol, ctx, {
          runs,
          concurrency: settings.concurrency,
          seed: settings.seed,
          address: app.address,
          serversDown: () => exitedApp(apps),
          properties: settings.properties,
          logFile: settings.logFile,
        });
        console.log(`${report.target} over ${report.protocol}: ${report.runs} cases, ${JSON.stringify(report.codes)}`);
        expect(report.failures, formatReport(report)).toEqual([]);
        expect(await unhealthyApps(apps), 'servers alive and ready after the run').toEqual([]);
        expect(await refusedSeeds(target, app, ctx), 'seed requests still served after the run (not refused as overloaded or unavailable)').toEqual([]);
      });
    }
  }
}
