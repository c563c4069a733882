/** The projection's queries on session rows: reading one, ending one (a deleted one leaves its tombstone), finding old ones. */
import type { Pool } from 'pg';
import { z } from 'zod';
import { invalidRow, parseOrFail } from '../shared/parse';

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
  const { rows } = await pool.query('SELECT id, status, item_count, last_seq, current_agent, created_at, updated_at, ended_at FROM sessions WHERE id = $1', [sessionId]);
  return rows.length === 0 ? undefined : parseOrFail(SessionRow, rows[0], 'a sessions row', invalidRow);
}

/**
 * Ends a session in the projection: `deleted` removes every row of it (the session, its items and
 * usage by cascade, its stored content parts, staged imports and stream events) and leaves only its
 * tombstone (the id and when), all in one statement; `expired` marks it (its items and parts stay
 * readable; no tombstone). Idempotent.
 */
export async function endSessionRows(pool: Pool, sessionId: string, status: 'deleted' | 'expired'): Promise<void> {
  if (status === 'deleted') {
    await pool.query(
      `WITH parts AS (DELETE FROM content_parts WHERE session_id = $1),
            imports AS (DELETE FROM session_imports WHERE session_id = $1),
            events AS (DELETE FROM stream_events WHERE session_id = $1),
            heads AS (DELETE FROM stream_heads WHERE session_id = $1),
            session AS (DELETE FROM sessions WHERE id = $1)
       INSERT INTO session_tombstones (id) VALUES ($1) ON CONFLICT (id) DO NOTHING`,
      [sessionId],
    );
    return;
  }
  await pool.query(`UPDATE sessions SET status = 'expired', ended_at = coalesce(ended_at, now()) WHERE id = $1`, [sessionId]);
}

/** Whether the session was deleted (its tombstone is there): one primary-key lookup. */
export async function isTombstoned(pool: Pool, sessionId: string): Promise<boolean> {
  const { rows } = await pool.query('SELECT 1 FROM session_tombstones WHERE id = $1', [sessionId]);
  return rows.length > 0;
}

/** Whether a session has a row and a tombstone, as `sessionPresence` reads it. */
const PresenceRow = z.object({ present: z.boolean(), deleted: z.boolean() });

/** Whether the projection has the session's row, its tombstone (deleted), or neither: one query. */
export async function sessionPresence(pool: Pool, sessionId: string): Promise<'present' | 'deleted' | 'absent'> {
  const { rows } = await pool.query('SELECT EXISTS (SELECT 1 FROM sessions WHERE id = $1) AS present, EXISTS (SELECT 1 FROM session_tombstones WHERE id = $1) AS deleted', [
    sessionId,
  ]);
  const row = parseOrFail(PresenceRow, rows[0], 'a session presence row', invalidRow);
  return row.deleted ? 'deleted' : row.present ? 'present' : 'absent';
}

/** A session's id alone, as `listSessionsUpdatedBefore` reads it. */
const SessionIdRow = z.object({ id: z.string() });

/** Ids of sessions last changed before `cutoff`, oldest first, at most `limit`. */
export async function listSessionsUpdatedBefore(pool: Pool, cutoff: Date, limit: number): Promise<string[]> {
  const { rows } = await pool.query('SELECT id FROM sessions WHERE updated_at < $1 ORDER BY updated_at LIMIT $2', [cutoff, limit]);
  return rows.map((row) => parseOrFail(SessionIdRow, row, 'a session id row', invalidRow).id);
}

/** A session row as `listSessions` reads it. */
const ListedRow = SessionRow.extend({
  user_id: z.string().nullable(),
  labels: z.record(z.string(), z.string()),
  /** updated_at in microseconds since the epoch, exact (a Date keeps milliseconds only). */
  updated_us: z.string().regex(/^-?\d+$/),
});
export type ListedRow = z.infer<typeof ListedRow>;

/** Where a page of sessions starts: after this (updated_at in microseconds, id), in descending order. */
export interface ListPosition {
  updatedMicros: string;
  id: string;
}

/**
 * A page of sessions, most recently changed first: those whose id starts with `prefix`, of `userId`,
 * carrying every label of `labels`, changed at or after `updatedSince`, after `after`.
 */
export async function listSessions(
  pool: Pool,
  filter: { prefix?: string; userId?: string; labels?: Record<string, string>; updatedSince?: Date; limit: number; after?: ListPosition },
): Promise<ListedRow[]> {
  const { rows } = await pool.query(
    `SELECT id, status, item_count, last_seq, current_agent, created_at, updated_at, ended_at, user_id, labels,
            ((extract(epoch FROM updated_at) * 1000000)::bigint)::text AS updated_us
       FROM sessions
      WHERE ($1::text IS NULL OR left(id, length($1::text)) = $1::text)
        AND ($2::text IS NULL OR user_id = $2::text)
        AND ($3::jsonb IS NULL OR labels @> $3::jsonb)
        AND ($4::timestamptz IS NULL OR updated_at >= $4::timestamptz)
        AND ($5::bigint IS NULL OR (updated_at, id) < (timestamptz 'epoch' + $5::bigint * interval '1 microsecond', $6::text))
      ORDER BY updated_at DESC, id DESC
      LIMIT $7`,
    [
      filter.prefix ?? null,
      filter.userId ?? null,
      filter.labels ? JSON.stringify(filter.labels) : null,
      filter.updatedSince ?? null,
      filter.after?.updatedMicros ?? null,
      filter.after?.id ?? null,
      filter.limit,
    ],
  );
  return rows.map((row) => parseOrFail(ListedRow, row, 'a listed sessions row', invalidRow));
}
