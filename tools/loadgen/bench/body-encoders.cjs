#!/usr/bin/env node
// CPU per request of the body encoders (built dist/), old way vs compiled templates, on the
// RankRequest body the cost bench sends: `npx node tools/loadgen/bench/body-encoders.cjs`.
const { toBinary, toJson } = require('@bufbuild/protobuf');
const { RankRequestSchema } = require('@feedmesh/contracts');
const { compileBody } = require('../dist/body-template.js');
const { parseVariable } = require('../dist/generators.js');

const BODY = JSON.stringify({
  userId: '{{user}}',
  limit: 2,
  candidates: [
    { item: { id: 'a1', kind: 'ITEM_KIND_ARTICLE', authorId: 'author-1' }, recallScore: 0.5, sources: ['following'] },
    { item: { id: '{{item}}', kind: 'ITEM_KIND_VIDEO' }, recallScore: 0.9, sources: ['trending'] },
  ],
});
const body = compileBody(RankRequestSchema, BODY, ['user=range:u1..u100000', 'item=uuid'].map((v) => parseVariable(v)), { grpcFrame: true });
const N = 300_000;
const time = (name, fn) => {
  for (let i = 0; i < 20_000; i++) fn();
  const start = process.cpuUsage();
  for (let i = 0; i < N; i++) fn();
  const cpu = process.cpuUsage(start);
  console.log(`${name.padEnd(40)} ${((cpu.user + cpu.system) / N).toFixed(2)} µs`);
};
console.log(`strategy ${body.strategy}, encoders ${JSON.stringify(body.encoderStrategy)}`);
for (let round = 0; round < 2; round++) {
  time('field setters + toBinary (before)', () => Buffer.from(toBinary(RankRequestSchema, body.next())));
  time('binary template, gRPC frame (now)', () => body.nextBinary());
  time('field setters + toJson + stringify (before)', () => JSON.stringify(toJson(RankRequestSchema, body.next())));
  time('JSON template (now)', () => body.nextJson());
}
