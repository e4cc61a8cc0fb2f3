// Ranking's settings (on top of the kit's HOST, PORT, LOG_LEVEL, MAX_DEADLINE_MS...). The diversity
// rules are the model file's (model/default-model.json ships the defaults), not settings here.
import { storageEnvSpec } from '@feedmesh/storage';
import { bool, makeValidator, num, str } from 'envalid';
import { DEFAULT_MODEL_FILE } from './model/default-model.js';

const positiveInt = makeValidator<number>(function positiveInteger(input) {
  const value = Number(input);
  if (!Number.isInteger(value) || value < 1) throw new Error(`must be an integer >= 1, got "${input}"`);
  return value;
});

// Settings that moved into the model file: a deployment still setting one would otherwise be
// ignored without a word, so the start is refused, naming where the value goes now.
const movedToModelFile = (field: string) =>
  makeValidator<undefined>(function movedToModelFile(input) {
    if (input !== undefined && input !== '') throw new Error(`moved to the model file: set diversity.${field} in RANKING_MODEL_FILE and unset this variable`);
    return undefined;
  })({ default: undefined, desc: `Removed: refused when set; the model file's diversity.${field} replaces it` });

export const rankingEnvSpec = {
  ...storageEnvSpec,
  DIVERSITY_MAX_SAME_KIND_RUN: movedToModelFile('maxSameKindRun'),
  DIVERSITY_MAX_SAME_AUTHOR_RUN: movedToModelFile('maxSameAuthorRun'),
  DIVERSITY_LOOKAHEAD: movedToModelFile('lookahead'),
  // 100k candidates encode to ~11 MB in protobuf and ~25 MB in Connect JSON; the kit's 4 MiB
  // default would cap a call at ~35k candidates.
  MAX_MESSAGE_BYTES: num({ default: 32 * 1024 * 1024, desc: 'Largest request message accepted (ranking: 32 MiB, for 100k candidates)' }),
  RANKING_MODEL_FILE: str({ default: DEFAULT_MODEL_FILE, desc: 'Model JSON (weights, version, half-life, diversity rules; a rule left out is the shipped model\'s); hot-reloaded on change' }),
  RANKING_MODEL_WATCH: bool({ default: true, desc: 'Watch the model file\'s folder for changes (off: polling only)' }),
  RANKING_MODEL_POLL_MS: num({ default: 5_000, desc: 'Stat the model file this often, in case file watching misses a change (0: watch only)' }),
  USER_FEATURES_TIMEOUT_MS: num({ default: 100, desc: 'Budget for loading user features; past it the request is ranked without them' }),
  USER_FEATURES_CACHE_TTL_MS: positiveInt({ default: 30_000, desc: 'How long a user\'s features are reused in-process' }),
  USER_FEATURES_CACHE_MAX: positiveInt({ default: 10_000, desc: 'Most users whose features are cached' }),
};
