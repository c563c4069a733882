/** The projection's queries on session rows: reading one, ending one, finding old ones. */
import type { Pool } from 'pg';
import { z } from 'zod';

/** A session row as Postgres returns it. */
export const SessionRow = z.object({
  id: z.string(),
  status: z.enum(['active', 'expired']),
  item_count: z.number().int().nonnegative(),
  last_seq: z.number().int().nonnegative(),
  current_agent: z.string(),
  created_at: z.date(),
  updated_at: z.date(),
  ended_at: z.date().nullable(),
});
export type SessionRow = z.infer<typeof SessionRow>;

/** The session's row, or undefined when the projection has none. */
export async function readSessionRow(pool: Pool, sessionId: string): Promise<SessionRow | undefined> {
  const { rows } = await pool.query(
    'SELECT id, status, item_count, last_seq, current_agent, created_at, updated_at, ended_at FROM sessions WHERE id = $1',
    [sessionId],
  );
  return rows.length === 0 ? undefined : SessionRow.parse(rows[0]);
}

/** Ends a session in the projection: `deleted` removes its rows, `expired` marks it. Idempotent. */
export async function endSessionRows(pool: Pool, sessionId: string, status: 'deleted' | 'expired'): Promise<void> {
  if (status === 'deleted') {
    await pool.query('DELETE FROM sessions WHERE id = $1', [sessionId]);
    return;
  }
  await pool.query(`UPDATE sessions SET status = 'expired', ended_at = coalesce(ended_at, now()) WHERE id = $1`, [sessionId]);
}

/** Ids of sessions last changed before `cutoff`, oldest first, at most `limit`. */
export async function listSessionsUpdatedBefore(pool: Pool, cutoff: Date, limit: number): Promise<string[]> {
  const { rows } = await pool.query('SELECT id FROM sessions WHERE updated_at < $1 ORDER BY updated_at LIMIT $2', [cutoff, limit]);
  return rows.map((row) => z.object({ id: z.string() }).parse(row).id);
}
