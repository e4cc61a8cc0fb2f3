import { Code, ConnectError } from '@connectrpc/connect';
import type pg from 'pg';

export interface ItemRow {
  author_id: string;
  kind: number;
  status: number;
}

/**
 * Explains why a conditional UPDATE of an item touched no row: NotFound when there is no such
 * item, PermissionDenied when the caller is not its author; otherwise returns the row.
 */
export async function loadOwnedItem(pool: pg.Pool, itemId: string, authorId: string): Promise<ItemRow> {
  const { rows } = await pool.query<ItemRow>('SELECT author_id, kind, status FROM items WHERE id = $1', [itemId]);
  const row = rows[0];
  if (!row) throw new ConnectError(`item_id: item ${itemId} does not exist`, Code.NotFound, { 'x-field-violation': 'item_id' });
  if (row.author_id !== authorId) {
    throw new ConnectError('author_id: only the author may change this item', Code.PermissionDenied, { 'x-field-violation': 'author_id' });
  }
  return row;
}
