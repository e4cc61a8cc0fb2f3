import type pg from 'pg';
import type { Payload } from './templates/payload-fields.js';

/** An items row as render reads it. */
export interface ItemRow {
  id: string;
  /** proto ItemKind number. */
  kind: number;
  authorId: string;
  createdAtMs: number;
  /** proto ItemStatus number: 1 active, 2 deleted. */
  status: number;
  payload: Payload;
}

const ITEMS_SQL = `
  SELECT id::text AS id, kind, author_id, floor(extract(epoch FROM created_at) * 1000)::float8 AS created_ms, status, payload
  FROM items
  WHERE id = ANY($1::uuid[])`;

/** One primary-key batch read; ids absent from the result do not exist. */
export async function loadItemRows(pool: pg.Pool, ids: readonly string[]): Promise<Map<string, ItemRow>> {
  if (ids.length === 0) return new Map();
  const { rows } = await pool.query<{ id: string; kind: number; author_id: string; created_ms: number; status: number; payload: Payload }>(ITEMS_SQL, [ids]);
  return new Map(
    rows.map((r) => [r.id, { id: r.id, kind: r.kind, authorId: r.author_id, createdAtMs: r.created_ms, status: r.status, payload: r.payload }]),
  );
}
