import { isHealthy } from './call-analysis.js';
import { recordCall, type Call, type CallRecord } from './call-record.js';
import { now } from './clock.js';

/**
 * Calls one at a time until `consecutive` answers in a row are healthy, so a scenario starts
 * from a settled mesh (not from the tail of the previous fault); resolves with the calls made,
 * or rejects after `timeoutMs` with what they answered.
 */
export async function settle(call: Call, { consecutive = 5, timeoutMs = 20_000 } = {}): Promise<CallRecord[]> {
  const records: CallRecord[] = [];
  const deadline = now() + timeoutMs;
  let run = 0;
  while (run < consecutive) {
    if (now() > deadline) throw new Error(`not ${consecutive} healthy answers in a row within ${timeoutMs} ms: ${records.slice(-10).map((r) => `${r.code}${r.degraded ? ` degraded (${r.detail})` : r.code === 'OK' ? '' : ` (${r.detail})`}`).join(', ')}`);
    const record = await recordCall(call);
    records.push(record);
    run = isHealthy(record) ? run + 1 : 0;
  }
  return records;
}
