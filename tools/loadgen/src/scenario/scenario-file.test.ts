import { describe, expect, it } from 'vitest';
import { parseScenario, ScenarioError } from './scenario-file.js';

const GOOD = `
target: 127.0.0.1:50051
stages: ['30s@100/s', '2m@500/s', '30s@0']
variables:
  user: range:u1..u1000
  kind: [a, b]
auth: { user: true }
journeys:
  - name: browse
    weight: 8
    steps:
      - name: page
        method: FeedService/GetFeed
        body: { userId: '{{user}}', pageSize: 20, cursor: '{{cursor}}' }
        extract: { cursor: nextCursor, items: 'items[*].id' }
        repeat: 1..5
        while: cursor
        think: 200ms..1s
      - name: engage
        method: feedmesh.ingest.v1.IngestService/RecordEngagement
        body:
          events: { $each: items, as: item, limit: 20, value: { userId: '{{user}}', itemId: '{{item}}', type: ENGAGEMENT_TYPE_VIEW, occurredAt: '{{now}}' } }
  - name: publish
    weight: 1
    auth: { service: loadgen }
    steps:
      - method: IngestService/Publish
        body: { requestId: '{{uuid}}', authorId: '{{user}}', article: { title: hello } }
`;

/** The error a bad scenario gets (it must be a ScenarioError). */
async function errorOf(text: string, file = 'bad.yaml'): Promise<ScenarioError> {
  try {
    await parseScenario(text, file);
  } catch (error) {
    expect(error).toBeInstanceOf(ScenarioError);
    return error as ScenarioError;
  }
  throw new Error('the scenario was accepted');
}

/** GOOD with one line replaced. */
const withLine = (from: string, to: string): string => {
  expect(GOOD).toContain(from);
  return GOOD.replace(from, to);
};

describe('parseScenario', () => {
  it('reads journeys, steps, stages, variables and auth', async () => {
    const scenario = await parseScenario(GOOD, 'good.yaml');
    expect(scenario.target).toBe('127.0.0.1:50051');
    expect(scenario.stages?.stages.map((s) => s.label)).toEqual(['30s@100/s', '2m@500/s', '30s@0']);
    expect([...scenario.variables.keys()]).toEqual(['user', 'kind']);
    const [browse, publish] = scenario.journeys;
    expect(browse).toMatchObject({ name: 'browse', weight: 8, auth: { kind: 'user', user: '{{user}}' } });
    expect(browse.steps.map((s) => [s.name, s.method.path, s.repeat, s.while, s.thinkMs])).toEqual([
      ['page', '/feedmesh.feed.v1.FeedService/GetFeed', { min: 1, max: 5 }, 'cursor', { min: 200, max: 1000 }],
      ['engage', '/feedmesh.ingest.v1.IngestService/RecordEngagement', { min: 1, max: 1 }, undefined, { min: 0, max: 0 }],
    ]);
    expect(browse.steps[0].extract.map(([name, path]) => [name, path.text, path.many])).toEqual([['cursor', 'nextCursor', false], ['items', 'items[*].id', true]]);
    expect(publish).toMatchObject({ name: 'publish', auth: { kind: 'service', name: 'loadgen', scopes: ['act_as_user'] } });
    expect(publish.steps[0].name).toBe('Publish');
  });

  it('reads the same scenario written as JSON', async () => {
    const json = JSON.stringify({ stages: ['1s@5vu'], journeys: [{ steps: [{ method: 'FeedService/GetFeed', body: { userId: 'u1' } }] }] }, null, 2);
    const scenario = await parseScenario(json, 'one.json');
    expect(scenario.stages?.kind).toBe('vus');
    expect(scenario.journeys[0].name).toBe('journey-1');
  });

  it('names file, line, column and field of a misspelled field', async () => {
    const error = await errorOf(withLine('        repeat: 1..5', '        repaet: 1..5'));
    expect(error.message).toBe('bad.yaml:16:9: journeys[0].steps[0].repaet: unknown field (allowed here: name, target, method, body, extract, repeat, while, think)');
    expect([error.line, error.column, error.field]).toEqual([16, 9, 'journeys[0].steps[0].repaet']);
  });

  it('points at an unknown method with the resolver\'s reason', async () => {
    const error = await errorOf(withLine('method: IngestService/Publish', 'method: IngestService/Publsh'));
    expect(error.message).toMatch(/^bad\.yaml:27:17: journeys\[1\]\.steps\[0\]\.method: feedmesh\.ingest\.v1\.IngestService has no method "Publsh" \(has: Publish,/);
  });

  it('points at an extraction path the response type does not have', async () => {
    const error = await errorOf(withLine("items: 'items[*].id'", "items: 'items[*].itemId'"));
    expect(error.field).toBe('journeys[0].steps[0].extract.items');
    expect(error.line).toBe(15);
    expect(error.reason).toMatch(/FeedItem has no field "itemId"/);
  });

  it('points at a placeholder nothing defines', async () => {
    const error = await errorOf(withLine("authorId: '{{user}}'", "authorId: '{{author}}'"));
    expect(error.line).toBe(28);
    expect(error.field).toBe('journeys[1].steps[0].body');
    expect(error.reason).toMatch(/\{\{author\}\} is neither a variable of the scenario/);
  });

  it('does not let a step read what only a later step extracts', async () => {
    const text = GOOD.replace("body: { requestId: '{{uuid}}'", "body: { requestId: '{{cursor}}'");
    const error = await errorOf(text);
    expect(error.reason).toMatch(/\{\{cursor\}\} is neither/);
  });

  it('checks bodies against the request type', async () => {
    const error = await errorOf(withLine('pageSize: 20', 'pageSise: 20'));
    expect(error.line).toBe(14);
    expect(error.reason).toMatch(/does not match feedmesh\.feed\.v1\.GetFeedRequest: .*pageSise/);
  });

  it('names the bad stage, variable, weight and auth', async () => {
    expect((await errorOf(withLine("'2m@500/s'", "'2m@500'"))).message).toMatch(/^bad\.yaml:3:23: stages\[1\]: say \/s/);
    expect((await errorOf(withLine('range:u1..u1000', 'range:u1000..u1'))).message).toMatch(/^bad\.yaml:5:9: variables\.user: range bounds/);
    expect((await errorOf(withLine('weight: 8', 'weight: -1'))).message).toMatch(/^bad\.yaml:10:13: journeys\[0\]\.weight: must be > 0/);
    expect((await errorOf(withLine('auth: { user: true }', 'auth: { user: true, service: x }'))).message).toMatch(/^bad\.yaml:7:7: auth: give exactly one of user, service or header, got user and service/);
    expect((await errorOf(withLine('think: 200ms..1s', 'think: 1s..200ms'))).field).toBe('journeys[0].steps[0].think');
    expect((await errorOf(withLine('while: cursor', 'while: cursr'))).reason).toMatch(/"cursr" is not a variable/);
  });

  it('reports YAML and JSON syntax errors with their position', async () => {
    expect((await errorOf('journeys:\n  - name: [unclosed\n', 's.yaml')).message).toMatch(/^s\.yaml:\d+:\d+: not valid YAML\/JSON/);
    const json = await errorOf('{\n  "journeys": [\n    { "steps": [ }\n  ]\n}', 's.json');
    expect(json.line).toBe(3);
    expect(json.message).toMatch(/^s\.json:3:\d+: not valid YAML\/JSON/);
  });

  it('requires journeys with steps', async () => {
    expect((await errorOf('stages: [1s@1/s]\n')).message).toBe('bad.yaml:1:1: journeys: is required: a list of journeys, each with steps');
    expect((await errorOf('journeys:\n  - name: empty\n')).message).toBe('bad.yaml:2:5: journeys[0].steps: is required');
  });
});

describe('the example scenario', () => {
  it('examples/browse-and-engage.yaml is a valid scenario', async () => {
    const { loadScenarioFile } = await import('./scenario-file.js');
    const scenario = await loadScenarioFile(`${__dirname}/../../examples/browse-and-engage.yaml`);
    expect(scenario.journeys.map((j) => [j.name, j.weight, j.steps.length])).toEqual([['browse', 8, 2], ['publish', 1, 1], ['follow', 1, 1]]);
  });
});
