// Holds the model that scores requests and swaps it when its file changes, without a restart.
// Change detection: fs.watch on the file's folder (editors and Kubernetes ConfigMaps replace the
// file by rename, which a watch on the file itself would miss) plus a periodic stat, because
// some filesystems (NFS, overlay mounts) never deliver watch events. A file that fails to parse
// is rejected with a logged error and the previous model keeps serving.
import { watch, type FSWatcher } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { ModelConfigError } from '@feedmesh/feed-core';
import type { Logger } from '@feedmesh/telemetry';
import { shippedDiversity } from './default-model.js';
import { readModelFile } from './model-file.js';
import type { DiversitySettings, RankingModel } from './ranking-model.js';

export type ReloadOutcome = 'loaded' | 'unchanged' | 'rejected';

export interface ModelStoreOptions {
  file: string;
  /** Rules a model file leaves out (default: the shipped model's). */
  diversityDefaults?: DiversitySettings;
  /** Watch the file's folder for changes (default true); off, only polling sees changes. */
  watch?: boolean;
  /** Period of the stat fallback (0 disables it). */
  pollIntervalMs: number;
  logger: Logger;
  /** Observes every reload that saw a changed file (metrics). */
  onReload?: (outcome: 'loaded' | 'rejected', model: RankingModel) => void;
}

/** Lets events that arrive in a burst (truncate + write + rename) end in one reload. */
const WATCH_DEBOUNCE_MS = 30;

export class ModelStore {
  private model: RankingModel;
  private text: string;
  private signature: string;
  private queue: Promise<unknown> = Promise.resolve();
  private watcher: FSWatcher | undefined;
  private poller: NodeJS.Timeout | undefined;
  private debounce: NodeJS.Timeout | undefined;
  private closed = false;

  private constructor(
    private readonly options: ModelStoreOptions,
    initial: { model: RankingModel; text: string; signature: string },
  ) {
    this.model = initial.model;
    this.text = initial.text;
    this.signature = initial.signature;
  }

  /** Loads the file (a bad file fails the start: there is no previous model to keep) and starts watching. */
  static async open(options: ModelStoreOptions): Promise<ModelStore> {
    const signature = await fileSignature(options.file);
    const { model, text } = await readModelFile(options.file, options.diversityDefaults ?? shippedDiversity);
    const store = new ModelStore(options, { model, text, signature });
    store.startWatching();
    options.logger.info({ file: options.file, version: model.scoring.version }, 'ranking model loaded');
    return store;
  }

  current(): RankingModel {
    return this.model;
  }

  /** Re-reads the file if it changed since the last look. Checks run one at a time. */
  check(): Promise<ReloadOutcome> {
    const next = this.queue.then(() => this.checkOnce());
    this.queue = next.catch(() => undefined);
    return next;
  }

  close(): void {
    this.closed = true;
    this.watcher?.close();
    clearInterval(this.poller);
    clearTimeout(this.debounce);
  }

  private async checkOnce(): Promise<ReloadOutcome> {
    if (this.closed) return 'unchanged';
    const { file, logger } = this.options;
    let signature: string;
    try {
      signature = await fileSignature(file);
    } catch (error) {
      // Mid-rename or deleted: keep serving; the next event or poll looks again.
      if (this.signature !== 'missing') logger.warn({ file, err: error }, 'ranking model file unreadable; keeping the current model');
      this.signature = 'missing';
      return 'unchanged';
    }
    if (signature === this.signature) return 'unchanged';
    this.signature = signature;

    try {
      const { model, text } = await readModelFile(file, this.options.diversityDefaults ?? shippedDiversity);
      if (text === this.text) return 'unchanged';
      const previous = this.model.scoring.version;
      this.model = model;
      this.text = text;
      logger.info({ file, version: model.scoring.version, previous }, 'ranking model reloaded');
      this.options.onReload?.('loaded', model);
      return 'loaded';
    } catch (error) {
      const problems = error instanceof ModelConfigError ? error.problems : [(error as Error).message];
      logger.error({ file, problems, kept: this.model.scoring.version }, 'ranking model file rejected; keeping the current model');
      this.options.onReload?.('rejected', this.model);
      return 'rejected';
    }
  }

  private startWatching(): void {
    const { pollIntervalMs, watch: watchFolder = true } = this.options;
    const schedule = () => {
      clearTimeout(this.debounce);
      this.debounce = setTimeout(() => void this.check(), WATCH_DEBOUNCE_MS);
      this.debounce.unref();
    };
    if (watchFolder) this.watchFolder(schedule);
    if (pollIntervalMs > 0) {
      this.poller = setInterval(() => void this.check(), pollIntervalMs);
      this.poller.unref();
    }
  }

  private watchFolder(onEvent: () => void): void {
    const { file, logger } = this.options;
    try {
      this.watcher = watch(path.dirname(file), { persistent: false }, onEvent);
      this.watcher.on('error', (error) => logger.warn({ file, err: error }, 'ranking model watch failed; polling only'));
    } catch (error) {
      logger.warn({ file, err: error }, 'cannot watch the ranking model folder; polling only');
    }
  }
}

/** Changes whenever the file is rewritten or replaced (ctime also moves on rename-over). */
async function fileSignature(file: string): Promise<string> {
  const s = await stat(file);
  return `${s.ino}:${s.size}:${s.mtimeMs}:${s.ctimeMs}`;
}
