import type { ChainableCommander } from 'ioredis';

/**
 * Runs a pipeline and throws its first command error: ioredis reports per-command failures in
 * the result array, and a job that silently lost writes would be marked done.
 */
export async function execOrThrow(pipeline: ChainableCommander): Promise<unknown[]> {
  const results = await pipeline.exec();
  if (!results) throw new Error('Redis pipeline was discarded');
  return results.map(([error, value]) => {
    if (error) throw error;
    return value;
  });
}
