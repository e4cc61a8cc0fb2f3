import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { SeedTable } from './dataset.js';

const CHUNK_CHARS = 1 << 20;

/** Groups lines into ~1 MB chunks: few large writes instead of millions of tiny ones. */
export function* copyChunks(lines: Iterable<string>, chunkChars = CHUNK_CHARS): Generator<string> {
  let batch: string[] = [];
  let size = 0;
  for (const line of lines) {
    batch.push(line);
    size += line.length + 1;
    if (size >= chunkChars) {
      yield `${batch.join('\n')}\n`;
      batch = [];
      size = 0;
    }
  }
  if (batch.length > 0) yield `${batch.join('\n')}\n`;
}

/**
 * Streams a table's generated rows into COPY ... FROM STDIN. Rows are generated as Postgres
 * consumes them (stream backpressure), so memory stays flat whatever the table size.
 */
export async function copyTable(client: pg.PoolClient | pg.Client, table: SeedTable): Promise<number> {
  const sql = `COPY ${table.name} (${table.columns.join(', ')}) FROM STDIN`;
  const stream = client.query(copyFrom(sql));
  await pipeline(Readable.from(copyChunks(table.lines())), stream);
  return stream.rowCount;
}
