import { mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createLogger } from '@feedmesh/telemetry';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ModelStore, type ModelStoreOptions } from './model-store.js';
import { shippedModel } from './default-model.js';

const defaults = { maxSameKindRun: 3, maxSameAuthorRun: 2, lookahead: 100 };
const modelJson = (version: string, extra: Record<string, unknown> = {}) => JSON.stringify({ ...shippedModel.scoring, version, ...extra });

interface LogLine {
  level: number;
  obj: Record<string, unknown>;
  msg: string;
}

describe('ModelStore', () => {
  let dir: string;
  let file: string;
  let logs: LogLine[];
  let stores: ModelStore[];

  // Captures log calls instead of printing them.
  const logger = () =>
    createLogger('ranking-test', {
      hooks: {
        logMethod(args, _method, level) {
          const [obj, msg] = args as unknown as [Record<string, unknown>, string];
          logs.push({ level, obj, msg });
        },
      },
    });

  async function open(overrides: Partial<ModelStoreOptions> = {}): Promise<ModelStore> {
    const store = await ModelStore.open({ file, diversityDefaults: defaults, pollIntervalMs: 0, logger: logger(), ...overrides });
    stores.push(store);
    return store;
  }

  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'ranking-model-'));
    file = path.join(dir, 'model.json');
    logs = [];
    stores = [];
    await writeFile(file, modelJson('v1'));
  });

  afterEach(async () => {
    for (const store of stores) store.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('loads the file at open', async () => {
    const store = await open();
    expect(store.current().scoring.version).toBe('v1');
    expect(store.current().diversity).toEqual(defaults);
  });

  it('fails to open on an invalid file: there is no previous model to keep', async () => {
    await writeFile(file, modelJson('v1', { weights: { recency: 1 } }));
    await expect(open()).rejects.toThrow(/unknown feature "recency"/);
  });

  it('swaps in a changed file and reports it once', async () => {
    const onReload = vi.fn();
    const store = await open({ onReload });
    await writeFile(file, modelJson('v2', { diversity: { maxSameAuthorRun: 1 } }));
    expect(await store.check()).toBe('loaded');
    expect(store.current().scoring.version).toBe('v2');
    expect(store.current().diversity.maxSameAuthorRun).toBe(1);
    expect(await store.check()).toBe('unchanged');
    expect(onReload).toHaveBeenCalledTimes(1);
    expect(onReload).toHaveBeenCalledWith('loaded', store.current());
  });

  it('rejects a bad file with a logged error and keeps the previous model', async () => {
    const onReload = vi.fn();
    const store = await open({ onReload });
    await writeFile(file, modelJson('v2', { engagementPriorMean: 7 }));
    expect(await store.check()).toBe('rejected');
    expect(store.current().scoring.version).toBe('v1');
    const error = logs.find((l) => l.msg.includes('rejected'));
    expect(error?.level).toBe(50);
    expect(error?.obj).toMatchObject({ kept: 'v1', problems: ['engagementPriorMean must be a number in [0, 1]'] });
    expect(onReload).toHaveBeenCalledWith('rejected', store.current());

    await writeFile(file, '{ not json');
    expect(await store.check()).toBe('rejected');
    await writeFile(file, modelJson('v3'));
    expect(await store.check()).toBe('loaded');
    expect(store.current().scoring.version).toBe('v3');
  });

  it('treats a rewrite with the same contents as unchanged', async () => {
    const onReload = vi.fn();
    const store = await open({ onReload });
    await new Promise((r) => setTimeout(r, 5));
    await writeFile(file, modelJson('v1'));
    expect(await store.check()).toBe('unchanged');
    expect(onReload).not.toHaveBeenCalled();
  });

  it('keeps the model while the file is missing, and picks up its replacement', async () => {
    const store = await open();
    await rm(file);
    expect(await store.check()).toBe('unchanged');
    expect(store.current().scoring.version).toBe('v1');
    await writeFile(file, modelJson('v2'));
    expect(await store.check()).toBe('loaded');
  });

  it('picks up an atomic replace (write + rename) through the folder watch, without a check call', async () => {
    const store = await open();
    const temp = path.join(dir, '.model.json.tmp');
    await writeFile(temp, modelJson('watched'));
    await rename(temp, file);
    await vi.waitFor(() => expect(store.current().scoring.version).toBe('watched'), { timeout: 5_000, interval: 20 });
  });

  it('picks up a change by polling alone when watching is off', async () => {
    const store = await open({ watch: false, pollIntervalMs: 50 });
    await writeFile(file, modelJson('polled'));
    await vi.waitFor(() => expect(store.current().scoring.version).toBe('polled'), { timeout: 5_000, interval: 20 });
  });
});
