// `--scenario FILE` and `--stages` from the command line: the scenario (or, with --stages alone,
// the one --method/--body/--var call as a one-step journey), the stages (--stages overrides the
// file's), target and protocol (flags override the file), and the signing secret when needed.
import type { LoadOptions } from '../load-options.js';
import { UsageError } from '../method-resolver.js';
import type { Report } from '../report.js';
import { findAuthSecret } from './auth-secret.js';
import { runScenario, needsSecret } from './run-scenario.js';
import { loadScenarioFile, parseScenario, type LoadScenarioOptions, type Scenario } from './scenario-file.js';
import { parseStages, type StagePlan } from './stages.js';

export interface ScenarioCommand {
  /** The scenario file; undefined runs --method as a one-step journey on --stages. */
  readonly scenarioFile: string | undefined;
  /** "30s@100/s,2m@500/s,30s@0". */
  readonly stages: string | undefined;
  readonly authSecret: string | undefined;
}

export async function runScenarioCommand(
  command: ScenarioCommand,
  load: LoadOptions,
  hooks: Pick<LoadOptions, 'signal' | 'onProgress'>,
  resolverOptions: LoadScenarioOptions = {},
): Promise<Report> {
  if (load.workers !== undefined && load.workers > 1) throw new UsageError('--workers does not apply to scenarios (they run on one thread)');
  if (load.warmupMs !== undefined) throw new UsageError('--warmup does not apply to scenarios: make the first stage the warmup, e.g. --stages 10s@50/s,...');
  if (load.rate !== undefined || load.requests !== undefined) throw new UsageError('--rate and --requests do not apply to scenarios: give --stages, e.g. 30s@100/s');
  const scenario = command.scenarioFile === undefined ? await singleCallScenario(load, resolverOptions) : await loadScenarioFile(command.scenarioFile, resolverOptions);
  const stages = stagePlan(command.stages, scenario, load);
  const protocol = load.protocol ?? scenario.protocol ?? 'grpc';
  if (protocol === 'grpc-js') throw new UsageError('scenarios speak --protocol grpc or connect');
  const target = load.target !== '' ? load.target : scenario.target;
  if (target === undefined) throw new UsageError('--target is required (or target: in the scenario)');
  const secret = needsSecret(scenario) ? findAuthSecret(command.authSecret) : undefined;
  if (needsSecret(scenario) && secret === undefined) {
    throw new UsageError('the scenario signs tokens (auth: user / service) but there is no secret: give --auth-secret, AUTH_TOKEN_SECRET, or run `npm start` once for .feedmesh/dev-keys.json');
  }
  return runScenario({
    scenario,
    target,
    protocol,
    stages,
    timeoutMs: load.timeoutMs ?? scenario.timeoutMs ?? 5000,
    maxInflight: load.maxInflight ?? scenario.maxInflight ?? 1000,
    metadata: load.metadata ?? [],
    traceSample: load.traceSample ?? 0.01,
    authSecret: secret?.secret,
    slo: load.slo,
    signal: hooks.signal,
    onProgress: hooks.onProgress,
    settings: secret === undefined ? {} : { authSecretFrom: secret.from },
  });
}

function stagePlan(flag: string | undefined, scenario: Scenario, load: LoadOptions): StagePlan {
  if (flag !== undefined) {
    const texts = flag.split(',').map((text) => text.trim()).filter((text) => text !== '');
    return parseStages(texts, (index) => `--stages item ${index + 1}`);
  }
  if (scenario.stages !== undefined) return scenario.stages;
  // No stages anywhere: --concurrency virtual users for --duration, as the single-method mode does.
  const seconds = (load.durationMs ?? 10_000) / 1000;
  return parseStages([`${seconds}s@${load.concurrency ?? 16}vu`], () => '--duration');
}

/** --method/--body/--var as a scenario of one journey with one step. */
function singleCallScenario(load: LoadOptions, resolverOptions: LoadScenarioOptions): Promise<Scenario> {
  if (load.method === '') throw new UsageError('give --scenario FILE, or --method with --stages');
  let body: unknown;
  try {
    body = JSON.parse(load.body ?? '{}');
  } catch (error) {
    throw new UsageError(`--body is not valid JSON: ${(error as Error).message}`);
  }
  const variables: Record<string, string> = {};
  for (const text of load.variables ?? []) {
    const equals = text.indexOf('=');
    if (equals <= 0) throw new UsageError(`--var must look like name=spec, got "${text}"`);
    variables[text.slice(0, equals)] = text.slice(equals + 1);
  }
  const document = { variables, journeys: [{ name: 'call', steps: [{ name: load.method.replace(/^.*\./, ''), method: load.method, body }] }] };
  return parseScenario(JSON.stringify(document), '(--method/--body/--var)', resolverOptions);
}
