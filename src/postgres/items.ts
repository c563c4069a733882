/** The projection's queries: writing a committed turn, and reading a session's items back. */
import type { Pool } from 'pg';
import { z } from 'zod';
import type { ProjectionInput } from '../shared/activity-io';
import { Item, type SessionItem } from '../shared/schemas';

/** An items row as Postgres returns it. */
export const ItemRow = z.object({
  seq: z.number().int().positive(),
  agent: z.string(),
  item: Item,
  created_at: z.date(),
});
export type ItemRow = z.infer<typeof ItemRow>;

/**
 * Writes a turn's items and the session's summary in one statement (so one atomic write, even over
 * a multiplexed connection). Idempotent by (session_id, seq); a stale retry never moves the session back.
 */
export async function writeTurn(pool: Pool, turn: ProjectionInput): Promise<void> {
  await pool.query(
    `WITH upsert_session AS (
       INSERT INTO sessions AS s (id, item_count, last_seq, status, current_agent)
       VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (id) DO UPDATE
         SET item_count = excluded.item_count, last_seq = excluded.last_seq, status = excluded.status,
             current_agent = excluded.current_agent, updated_at = now()
         WHERE s.last_seq <= excluded.last_seq
       RETURNING id
     )
     INSERT INTO items (session_id, seq, type, role, agent, item, created_at)
     SELECT $1, r.seq, r.item->>'type', r.item->>'role', r.agent, r.item, r.at
       FROM jsonb_to_recordset($6::jsonb) AS r (seq integer, agent text, at timestamptz, item jsonb)
     ON CONFLICT (session_id, seq) DO UPDATE
       SET type = excluded.type, role = excluded.role, agent = excluded.agent, item = excluded.item`,
    [
      turn.sessionId,
      turn.session.itemCount,
      turn.session.lastSeq,
      turn.session.status,
      turn.session.agent,
      JSON.stringify(turn.items),
    ],
  );
}

/** The items of a session with seq in [fromSeq, throughSeq], in order. */
export async function readItemRange(pool: Pool, sessionId: string, fromSeq: number, throughSeq: number): Promise<SessionItem[]> {
  const { rows } = await pool.query(
    `SELECT seq, agent, item, created_at FROM items
      WHERE session_id = $1 AND seq BETWEEN $2 AND $3 ORDER BY seq`,
    [sessionId, fromSeq, throughSeq],
  );
  return rows.map(toSessionItem);
}

/** The latest `limit` items of a session in chronological order (all when limit is absent). */
export async function readLatestItems(pool: Pool, sessionId: string, limit?: number): Promise<SessionItem[]> {
  const { rows } = await pool.query(
    `SELECT * FROM (
       SELECT seq, agent, item, created_at FROM items WHERE session_id = $1 ORDER BY seq DESC LIMIT $2
     ) latest ORDER BY seq`,
    [sessionId, limit ?? null],
  );
  return rows.map(toSessionItem);
}

/** A checked row as a session item (the row schema already checked the item). */
function toSessionItem(row: unknown): SessionItem {
  const parsed = ItemRow.parse(row);
  return { seq: parsed.seq, agent: parsed.agent, at: parsed.created_at.toISOString(), item: parsed.item };
}
