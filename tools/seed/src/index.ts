export { seed, SEEDED_TABLES, type SeedResult } from './seed.js';
export { generateDataset, userId, type Dataset, type SeedTable } from './dataset.js';
export { redisZsets, type ZsetWrite } from './redis-zsets.js';
export { defaultSeedOptions, type SeedOptions, type DatasetOptions } from './seed-options.js';
export { parseSeedArgs } from './cli-args.js';
export { Prng, phasePrng } from './prng.js';
export { writeReadModel, type ReadModelCounts } from './redis-read-model.js';
