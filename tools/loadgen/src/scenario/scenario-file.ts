// Reads and checks a scenario file (YAML or JSON: YAML's parser reads both and keeps each node's
// position), so a mistake is reported as "file:line:col: journeys[0].steps[1].method: why" before
// any call is sent. Methods go through the method resolver, request bodies are rendered once with
// sample values and checked against the method's input type, extraction paths against its output.
import { fromJson, type DescMessage, type JsonValue } from '@bufbuild/protobuf';
import { readFileSync } from 'node:fs';
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Node, type Pair, type YAMLMap } from 'yaml';
import { parseGenerator, type ValueGenerator } from '../generators.js';
import { resolveMethod, UsageError, type ResolvedMethod } from '../method-resolver.js';
import { compileBodyTemplate, type BodyTemplate } from './body.js';
import { compilePath, type CompiledPath, type JourneyValue } from './extract.js';
import { parseDurationText } from './durations.js';
import { parseStages, type StagePlan } from './stages.js';

/** A bad scenario file: the message names the file, line, column and field. */
export class ScenarioError extends UsageError {
  constructor(
    readonly file: string,
    readonly line: number,
    readonly column: number,
    readonly field: string,
    readonly reason: string,
  ) {
    super(`${file}:${line}:${column}: ${field === '' ? '' : `${field}: `}${reason}`);
  }
}

/** Who a journey's calls act as: sent as the authorization header. */
export type AuthSpec =
  | { readonly kind: 'user'; readonly user: string }
  | { readonly kind: 'service'; readonly name: string; readonly scopes: readonly string[] }
  | { readonly kind: 'header'; readonly value: string };

export interface Step {
  readonly name: string;
  /** This step's server when it is not the run's (e.g. ingest next to the aggregator). */
  readonly target: string | undefined;
  readonly method: ResolvedMethod;
  readonly body: BodyTemplate;
  readonly extract: readonly (readonly [string, CompiledPath])[];
  /** The step runs between min and max times (uniformly), */
  readonly repeat: { readonly min: number; readonly max: number };
  /** ...repeats after the first only while this journey value is non-empty (e.g. the next cursor). */
  readonly while: string | undefined;
  /** Pause after each call, drawn uniformly from [min, max] ms. */
  readonly thinkMs: { readonly min: number; readonly max: number };
}

export interface Journey {
  readonly name: string;
  readonly weight: number;
  readonly auth: AuthSpec | undefined;
  readonly steps: readonly Step[];
}

export interface Scenario {
  readonly file: string;
  readonly target: string | undefined;
  readonly protocol: 'grpc' | 'connect' | undefined;
  readonly timeoutMs: number | undefined;
  /** Open loop: most journeys in flight; later arrivals wait for one to finish. */
  readonly maxInflight: number | undefined;
  readonly stages: StagePlan | undefined;
  /** Drawn once per journey, so every step of one journey sees the same user. */
  readonly variables: ReadonlyMap<string, ValueGenerator>;
  readonly journeys: readonly Journey[];
}

export type MethodResolver = (name: string) => ResolvedMethod | Promise<ResolvedMethod>;

export interface LoadScenarioOptions {
  /** Defaults to the contracts resolver; a reflection or descriptor-set resolver plugs in here. */
  readonly resolve?: MethodResolver;
}

/** Values every body can use: a fresh UUID and the current time per call, the journey's number. */
export const BUILTIN_VARIABLES = ['uuid', 'now', 'iteration'] as const;

export async function loadScenarioFile(file: string, options: LoadScenarioOptions = {}): Promise<Scenario> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read scenario ${file}: ${(error as Error).message}`);
  }
  return parseScenario(text, file, options);
}

export async function parseScenario(text: string, file: string, options: LoadScenarioOptions = {}): Promise<Scenario> {
  const lines = new LineCounter();
  const document = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const fail = (node: Node | Pair | null | undefined, field: string, reason: string): never => {
    const offset = positionOf(node);
    const { line, col } = lines.linePos(offset);
    throw new ScenarioError(file, line, col, field, reason);
  };
  if (document.errors.length > 0) {
    const error = document.errors[0];
    const { line, col } = lines.linePos(error.pos[0]);
    throw new ScenarioError(file, line, col, '', `not valid YAML/JSON: ${error.message.split('\n')[0]}`);
  }
  const root = document.contents;
  if (!isMap(root)) return fail(root, '', 'a scenario is a mapping with journeys (and stages, variables, ...)');
  const resolve = options.resolve ?? resolveMethod;

  const top = fields(root, '', ['target', 'protocol', 'timeout', 'maxInflight', 'stages', 'variables', 'auth', 'journeys'], fail);
  const target = optionalString(top.get('target'), 'target', fail);
  const protocolText = optionalString(top.get('protocol'), 'protocol', fail);
  if (protocolText !== undefined && protocolText !== 'grpc' && protocolText !== 'connect') fail(top.get('protocol'), 'protocol', `must be grpc or connect, got "${protocolText}"`);
  const timeoutNode = top.get('timeout');
  const timeoutMs = timeoutNode === undefined ? undefined : duration(timeoutNode, 'timeout', fail);
  const maxInflight = optionalPositiveInteger(top.get('maxInflight'), 'maxInflight', fail);

  let stages: StagePlan | undefined;
  const stagesNode = top.get('stages');
  if (stagesNode !== undefined) {
    if (!isSeq(stagesNode) || stagesNode.items.length === 0) fail(stagesNode, 'stages', 'a list like ["30s@100/s", "2m@500/s", "30s@0"]');
    const items = (stagesNode as { items: Node[] }).items;
    const texts = items.map((item, index) => requiredString(item, `stages[${index}]`, fail));
    stages = guard(() => parseStages(texts, (index) => `stages[${index}]`), (message) => {
      const index = Number(/^stages\[(\d+)\]/.exec(message)?.[1] ?? 0);
      return fail(items[index], `stages[${index}]`, message.replace(/^stages\[\d+\]:? ?/, ''));
    });
  }

  const variables = new Map<string, ValueGenerator>();
  const variablesNode = top.get('variables');
  if (variablesNode !== undefined) {
    if (!isMap(variablesNode)) fail(variablesNode, 'variables', 'a mapping of name: spec (range:u1..u1000, list:a,b, file:ids.txt, uuid) or name: [values]');
    for (const pair of (variablesNode as YAMLMap<Node, Node>).items) {
      const name = keyText(pair, 'variables', fail);
      const field = `variables.${name}`;
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) fail(pair.key, field, 'a variable name is letters, digits and _');
      if ((BUILTIN_VARIABLES as readonly string[]).includes(name)) fail(pair.key, field, `"${name}" is built in (${BUILTIN_VARIABLES.join(', ')})`);
      const value = pair.value;
      if (isSeq(value)) {
        const list = value.items.map((item, index) => scalarText(item as Node, `${field}[${index}]`, fail));
        if (list.length === 0) fail(value, field, 'the list is empty');
        variables.set(name, () => list[Math.floor(Math.random() * list.length)]);
      } else {
        const spec = requiredString(value, field, fail);
        variables.set(name, guard(() => parseGenerator(spec), (message) => fail(value, field, message)));
      }
    }
  }

  const defaultAuth = top.get('auth') === undefined ? undefined : parseAuth(top.get('auth')!, 'auth', fail);
  const journeysNode = top.get('journeys');
  if (journeysNode === undefined) return fail(root, 'journeys', 'is required: a list of journeys, each with steps');
  if (!isSeq(journeysNode) || journeysNode.items.length === 0) return fail(journeysNode, 'journeys', 'a non-empty list of journeys');
  const journeys: Journey[] = [];
  const names = new Set<string>();
  for (const [index, journeyNode] of (journeysNode.items as Node[]).entries()) {
    const where = `journeys[${index}]`;
    if (!isMap(journeyNode)) return fail(journeyNode, where, 'a journey is a mapping with name, weight and steps');
    const journey = fields(journeyNode, where, ['name', 'weight', 'auth', 'steps'], fail);
    const name = optionalString(journey.get('name'), `${where}.name`, fail) ?? `journey-${index + 1}`;
    if (names.has(name)) fail(journey.get('name'), `${where}.name`, `"${name}" is used by another journey`);
    names.add(name);
    const weightNode = journey.get('weight');
    const weight = weightNode === undefined ? 1 : numberOf(weightNode, `${where}.weight`, fail);
    if (!(weight > 0)) fail(weightNode, `${where}.weight`, `must be > 0, got ${weight}`);
    const authNode = journey.get('auth');
    const auth = authNode === undefined ? defaultAuth : parseAuth(authNode, `${where}.auth`, fail);
    const stepsNode = journey.get('steps');
    if (stepsNode === undefined) return fail(journeyNode, `${where}.steps`, 'is required');
    if (!isSeq(stepsNode) || stepsNode.items.length === 0) return fail(stepsNode, `${where}.steps`, 'a non-empty list of steps');
    const known = new Set([...variables.keys(), ...BUILTIN_VARIABLES]);
    const steps: Step[] = [];
    for (const [stepIndex, stepNode] of (stepsNode.items as Node[]).entries()) {
      steps.push(await parseStep(stepNode, `${where}.steps[${stepIndex}]`, known, resolve, fail));
    }
    const stepNames = new Set<string>();
    for (const [stepIndex, step] of steps.entries()) {
      if (stepNames.has(step.name)) fail((stepsNode.items as Node[])[stepIndex], `${where}.steps[${stepIndex}].name`, `"${step.name}" is used by another step of ${name}; name them apart`);
      stepNames.add(step.name);
    }
    if (auth?.kind === 'user') {
      for (const used of compileBodyTemplate(auth.user).uses) {
        if (!variables.has(used) && !(BUILTIN_VARIABLES as readonly string[]).includes(used)) {
          fail(authNode ?? top.get('auth'), `${authNode === undefined ? 'auth' : `${where}.auth`}.user`, `{{${used}}} is not a variable of the scenario`);
        }
      }
    }
    journeys.push({ name, weight, auth, steps });
  }
  return { file, target, protocol: protocolText as Scenario['protocol'], timeoutMs, maxInflight, stages, variables, journeys };
}

type Fail = (node: Node | Pair | null | undefined, field: string, reason: string) => never;

async function parseStep(node: Node, where: string, known: Set<string>, resolve: MethodResolver, fail: Fail): Promise<Step> {
  if (!isMap(node)) return fail(node, where, 'a step is a mapping with method, body, extract, repeat, while, think (and target)');
  const step = fields(node, where, ['name', 'target', 'method', 'body', 'extract', 'repeat', 'while', 'think'], fail);
  const methodNode = step.get('method');
  if (methodNode === undefined) return fail(node, `${where}.method`, 'is required, e.g. feedmesh.feed.v1.FeedService/GetFeed');
  const methodName = requiredString(methodNode, `${where}.method`, fail);
  let method: ResolvedMethod;
  try {
    method = await resolve(methodName);
  } catch (error) {
    return fail(methodNode, `${where}.method`, (error as Error).message.replace(/^--method /, ''));
  }
  const name = optionalString(step.get('name'), `${where}.name`, fail) ?? method.method.name;
  const target = optionalString(step.get('target'), `${where}.target`, fail);

  const extract: [string, CompiledPath][] = [];
  const extractNode = step.get('extract');
  if (extractNode !== undefined) {
    if (!isMap(extractNode)) fail(extractNode, `${where}.extract`, 'a mapping of name: path, e.g. { cursor: nextCursor, items: "items[*].id" }');
    for (const pair of (extractNode as YAMLMap<Node, Node>).items) {
      const variable = keyText(pair, `${where}.extract`, fail);
      const field = `${where}.extract.${variable}`;
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(variable)) fail(pair.key, field, 'a variable name is letters, digits and _');
      if ((BUILTIN_VARIABLES as readonly string[]).includes(variable)) fail(pair.key, field, `"${variable}" is built in`);
      const path = requiredString(pair.value, field, fail);
      extract.push([variable, guard(() => compilePath(path, method.method.output), (message) => fail(pair.value, field, message))]);
    }
  }
  // This step's own extractions count as known: a repeated step reads what its previous call extracted.
  for (const [variable] of extract) known.add(variable);

  const bodyNode = step.get('body');
  const bodyJson = (bodyNode === undefined ? {} : bodyNode.toJSON()) as JsonValue;
  if (bodyNode !== undefined && !isMap(bodyNode)) fail(bodyNode, `${where}.body`, `the request (${method.method.input.typeName}) as a mapping in proto JSON`);
  const body = guard(() => compileBodyTemplate(bodyJson), (message) => fail(bodyNode, `${where}.body`, message));
  for (const used of body.uses) {
    if (!known.has(used)) fail(findPlaceholder(bodyNode, used) ?? bodyNode, `${where}.body`, `{{${used}}} is neither a variable of the scenario, a built-in (${BUILTIN_VARIABLES.join(', ')}) nor extracted by this or an earlier step`);
  }
  checkBody(body, method.method.input, bodyNode, `${where}.body`, fail);

  const repeatNode = step.get('repeat');
  const repeat = repeatNode === undefined ? { min: 1, max: 1 } : rangeOf(repeatNode, `${where}.repeat`, (text) => Number(text), fail);
  if (!Number.isInteger(repeat.min) || !Number.isInteger(repeat.max) || repeat.min < 1) fail(repeatNode, `${where}.repeat`, 'whole numbers >= 1, e.g. 3 or 1..5');
  const whileName = optionalString(step.get('while'), `${where}.while`, fail);
  if (whileName !== undefined && !known.has(whileName)) fail(step.get('while'), `${where}.while`, `"${whileName}" is not a variable or an extracted value`);
  const thinkNode = step.get('think');
  const thinkMs =
    thinkNode === undefined ? { min: 0, max: 0 } : rangeOf(thinkNode, `${where}.think`, (text) => parseDurationText(text), fail);
  return { name, target, method, body, extract, repeat, while: whileName, thinkMs };
}

/** Renders the body once with sample values (variables' own, '' / [] for extracted ones) and checks it decodes. */
function checkBody(body: BodyTemplate, input: DescMessage, node: Node | undefined, field: string, fail: Fail): void {
  const sample = body.render((name) => (name === 'now' ? new Date().toISOString() : name === 'iteration' ? '1' : undefined));
  try {
    fromJson(input, stripEmpty(sample));
  } catch (error) {
    fail(node, field, `does not match ${input.typeName}: ${(error as Error).message}`);
  }
}

/** The sample leaves unknown values as ''; drop those, so only names and shapes are checked. */
function stripEmpty(json: JsonValue): JsonValue {
  if (Array.isArray(json)) return json.map(stripEmpty);
  if (json !== null && typeof json === 'object') {
    const out: Record<string, JsonValue> = {};
    for (const [key, value] of Object.entries(json)) if (value !== '') out[key] = stripEmpty(value);
    return out;
  }
  return json;
}

function parseAuth(node: Node, where: string, fail: Fail): AuthSpec {
  if (!isMap(node)) return fail(node, where, 'one of { user: "{{user}}" } (an end-user token per user), { service: loadgen } or { header: "Bearer ..." }');
  const auth = fields(node, where, ['user', 'service', 'scopes', 'header'], fail);
  const given = ['user', 'service', 'header'].filter((key) => auth.has(key));
  if (given.length !== 1) return fail(node, where, `give exactly one of user, service or header, got ${given.length === 0 ? 'none' : given.join(' and ')}`);
  if (auth.has('scopes') && !auth.has('service')) fail(auth.get('scopes'), `${where}.scopes`, 'applies to service tokens only');
  const userNode = auth.get('user');
  if (userNode !== undefined) {
    // `user: true` acts as the journey's {{user}}.
    if (isScalar(userNode) && userNode.value === true) return { kind: 'user', user: '{{user}}' };
    return { kind: 'user', user: requiredString(userNode, `${where}.user`, fail) };
  }
  const serviceNode = auth.get('service');
  if (serviceNode !== undefined) {
    const scopesNode = auth.get('scopes');
    let scopes = ['act_as_user'];
    if (scopesNode !== undefined) {
      if (!isSeq(scopesNode)) fail(scopesNode, `${where}.scopes`, 'a list of scopes');
      scopes = (scopesNode as { items: Node[] }).items.map((item, index) => requiredString(item, `${where}.scopes[${index}]`, fail));
    }
    return { kind: 'service', name: requiredString(serviceNode, `${where}.service`, fail), scopes };
  }
  return { kind: 'header', value: requiredString(auth.get('header'), `${where}.header`, fail) };
}

/** The map's fields by name; unknown fields are errors (a typo must not be ignored). */
function fields(map: YAMLMap, where: string, allowed: readonly string[], fail: Fail): Map<string, Node> {
  const out = new Map<string, Node>();
  for (const pair of (map as YAMLMap<Node, Node>).items) {
    const key = keyText(pair, where, fail);
    const field = where === '' ? key : `${where}.${key}`;
    if (!allowed.includes(key)) fail(pair.key, field, `unknown field (allowed here: ${allowed.join(', ')})`);
    out.set(key, pair.value ?? (pair.key as Node));
  }
  return out;
}

function keyText(pair: Pair<Node, Node>, where: string, fail: Fail): string {
  if (!isScalar(pair.key)) return fail(pair.key, where, 'keys must be plain names');
  return String(pair.key.value);
}

function requiredString(node: Node | null | undefined, field: string, fail: Fail): string {
  if (!isScalar(node) || typeof node.value !== 'string' || node.value === '') return fail(node, field, 'must be a non-empty string');
  return node.value;
}

function optionalString(node: Node | undefined, field: string, fail: Fail): string | undefined {
  return node === undefined ? undefined : requiredString(node, field, fail);
}

function scalarText(node: Node, field: string, fail: Fail): string {
  if (!isScalar(node) || node.value === null || typeof node.value === 'object') return fail(node, field, 'must be a string or number');
  return String(node.value);
}

function numberOf(node: Node, field: string, fail: Fail): number {
  if (!isScalar(node) || typeof node.value !== 'number') return fail(node, field, 'must be a number');
  return node.value;
}

function optionalPositiveInteger(node: Node | undefined, field: string, fail: Fail): number | undefined {
  if (node === undefined) return undefined;
  const value = numberOf(node, field, fail);
  if (!(Number.isInteger(value) && value >= 1)) fail(node, field, `must be a whole number >= 1, got ${value}`);
  return value;
}

function duration(node: Node, field: string, fail: Fail): number {
  const text = isScalar(node) ? String(node.value) : '';
  return guard(() => parseDurationText(text), (message) => fail(node, field, message));
}

/** "3" / 3 → {3, 3}; "1..5" → {1, 5}; "100ms..500ms" with a duration parser. */
function rangeOf(node: Node, field: string, parse: (text: string) => number, fail: Fail): { min: number; max: number } {
  if (!isScalar(node) || (typeof node.value !== 'string' && typeof node.value !== 'number')) return fail(node, field, 'a value or a range like 1..5');
  const [low, high = low] = String(node.value).split('..');
  const min = guard(() => parse(low.trim()), (message) => fail(node, field, message));
  const max = guard(() => parse(high.trim()), (message) => fail(node, field, message));
  if (!(Number.isFinite(min) && Number.isFinite(max) && min >= 0 && max >= min)) fail(node, field, `must be LOW..HIGH with 0 <= LOW <= HIGH, got "${String(node.value)}"`);
  return { min, max };
}

function guard<T>(run: () => T, onError: (message: string) => never): T {
  try {
    return run();
  } catch (error) {
    return onError((error as Error).message);
  }
}

function positionOf(node: Node | Pair | null | undefined): number {
  if (node === null || node === undefined) return 0;
  if ('range' in node && node.range !== undefined && node.range !== null) return node.range[0];
  if ('key' in node) return positionOf(node.key as Node);
  return 0;
}

/** The scalar inside `node` that mentions {{name}}, for a precise line. */
function findPlaceholder(node: Node | undefined, name: string): Node | undefined {
  if (node === undefined) return undefined;
  if (isScalar(node)) return typeof node.value === 'string' && new RegExp(`\\{\\{\\s*${name}\\s*\\}\\}|^${name}$`).test(node.value) ? node : undefined;
  if (isMap(node)) {
    for (const pair of (node as YAMLMap<Node, Node>).items) {
      const found = findPlaceholder(pair.value ?? undefined, name);
      if (found !== undefined) return found;
    }
  }
  if (isSeq(node)) {
    for (const item of node.items as Node[]) {
      const found = findPlaceholder(item, name);
      if (found !== undefined) return found;
    }
  }
  return undefined;
}

export type { JourneyValue };
