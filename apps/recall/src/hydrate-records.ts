import type { ItemRecord, ReadModel } from '@feedmesh/storage';
import type { RecallCandidate } from './recall-candidate.js';

export interface HydratedCandidate extends RecallCandidate {
  stats: ItemRecord;
}

/**
 * Attaches every candidate's item record (counters), keeping the input order, and drops the
 * candidates whose item is deleted or unknown (a zset entry outliving its item). Candidates a
 * source already read the record of are not read again.
 */
export async function hydrateRecords(readModel: ReadModel, candidates: readonly RecallCandidate[]): Promise<HydratedCandidate[]> {
  const wanted = candidates.filter((c) => c.stats === undefined).map((c) => c.item.id);
  const records = wanted.length === 0 ? new Map<string, ItemRecord>() : await readModel.itemRecords(wanted);
  const out: HydratedCandidate[] = [];
  for (const c of candidates) {
    const stats = c.stats ?? records.get(c.item.id);
    if (stats?.status === 'active') out.push({ ...c, stats });
  }
  return out;
}
