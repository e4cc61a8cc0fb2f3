/**
 * Summarizes V8 `.cpuprofile` files (node --cpu-prof, e.g. from `getfeed-mesh --cpu-prof <dir>`)
 * by self time: the top functions, and the same time grouped by package (or app source file),
 * so "where does a request's CPU go" has a one-screen answer.
 *
 *   npx node tools/bench/dist/cpu-profile-summary.js <file.cpuprofile | dir> [--top 30]
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export interface SelfTime {
  name: string;
  ms: number;
  share: number;
}

export interface ProfileSummary {
  totalMs: number;
  /** Self time per function (name + file:line). */
  functions: SelfTime[];
  /** Self time per package (node_modules/<pkg>), app/lib source file, or V8/Node category. */
  groups: SelfTime[];
  /** Inclusive (self + callees) time of the workspace's own functions (apps/, libs/). */
  inclusive: SelfTime[];
}

/** `(garbage collector)`, `(program)`, `(idle)` and node internals keep their own names. */
function groupOf(url: string, functionName: string): string {
  if (url === '') return functionName.startsWith('(') ? functionName : '(native)';
  if (url.startsWith('node:')) return url;
  const modules = url.lastIndexOf('/node_modules/');
  if (modules >= 0) {
    const rest = url.slice(modules + '/node_modules/'.length).split('/');
    return rest[0]!.startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]!;
  }
  const workspace = /\/(apps|libs|tools)\/([^/]+)\/dist\/(.+)$/.exec(url);
  return workspace ? `${workspace[1]}/${workspace[2]}/${workspace[3]}` : url;
}

export function summarizeProfiles(profiles: readonly CpuProfile[]): ProfileSummary {
  const byFunction = new Map<string, number>();
  const byGroup = new Map<string, number>();
  const inclusive = new Map<string, number>();
  let totalUs = 0;
  for (const profile of profiles) {
    const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
    const parents = new Map<number, number>();
    for (const n of profile.nodes) for (const child of n.children ?? []) parents.set(child, n.id);
    for (let i = 0; i < profile.samples.length; i++) {
      const node = nodes.get(profile.samples[i]!);
      if (node === undefined) continue;
      const us = profile.timeDeltas[i] ?? 0;
      const { functionName, url, lineNumber } = node.callFrame;
      if (functionName === '(idle)') continue;
      totalUs += us;
      const file = url === '' ? '' : ` ${url.replace(/^.*\/(node_modules|apps|libs)\//, '$1/')}:${lineNumber + 1}`;
      const fn = `${functionName || '(anonymous)'}${file}`;
      byFunction.set(fn, (byFunction.get(fn) ?? 0) + us);
      const group = groupOf(url, functionName);
      byGroup.set(group, (byGroup.get(group) ?? 0) + us);
      // Each own function on the sample's stack once (recursion must not count twice).
      const onStack = new Set<string>();
      for (let id: number | undefined = node.id; id !== undefined; id = parents.get(id)) {
        const frame = nodes.get(id)!.callFrame;
        if (!/\/(apps|libs)\/[^/]+\/dist\//.test(frame.url)) continue;
        onStack.add(`${frame.functionName || '(anonymous)'} ${frame.url.replace(/^.*\/(apps|libs)\//, '$1/')}:${frame.lineNumber + 1}`);
      }
      for (const name of onStack) inclusive.set(name, (inclusive.get(name) ?? 0) + us);
    }
  }
  const ranked = (map: Map<string, number>) =>
    [...map.entries()]
      .sort((a, b) => b[1] - a[1])
      .map(([name, us]) => ({ name, ms: Math.round(us / 100) / 10, share: totalUs === 0 ? 0 : Math.round((us / totalUs) * 1000) / 10 }));
  return { totalMs: Math.round(totalUs / 1000), functions: ranked(byFunction), groups: ranked(byGroup), inclusive: ranked(inclusive) };
}

function profileFiles(target: string): string[] {
  if (!statSync(target).isDirectory()) return [target];
  return readdirSync(target)
    .filter((f) => f.endsWith('.cpuprofile'))
    .map((f) => path.join(target, f));
}

export function main(argv: string[]): number {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { top: { type: 'string', default: '30' } } });
  const top = Number(values.top);
  for (const target of positionals) {
    const files = profileFiles(target);
    const summary = summarizeProfiles(files.map((f) => JSON.parse(readFileSync(f, 'utf8')) as CpuProfile));
    const line = (s: SelfTime) => `${String(s.ms).padStart(9)} ms ${s.share.toFixed(1).padStart(5)} %  ${s.name}`;
    console.log(`== ${target} (${files.length} profile(s), ${summary.totalMs} ms busy)`);
    console.log('-- by package / file');
    for (const s of summary.groups.slice(0, top)) console.log(line(s));
    console.log('-- by function');
    for (const s of summary.functions.slice(0, top)) console.log(line(s));
    console.log('-- own functions, inclusive');
    for (const s of summary.inclusive.slice(0, top)) console.log(line(s));
  }
  return positionals.length === 0 ? 1 : 0;
}

if (require.main === module) process.exit(main(process.argv.slice(2)));
