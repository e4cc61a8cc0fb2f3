import type { Pool } from 'pg';
import type { UserLookup } from './user-directory.js';

/** The users table as a UserLookup. */
export function postgresUsers(pool: Pool): UserLookup {
  return {
    async exists(userId) {
      const { rowCount } = await pool.query('SELECT 1 FROM users WHERE id = $1', [userId]);
      return (rowCount ?? 0) > 0;
    },
  };
}
