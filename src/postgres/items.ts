/** The projection's queries on items: writing committed items, reading them back, removing them. */
import type { Pool } from 'pg';
import { z } from 'zod';
import type { ProjectionInput, RemoveItemsInput, SeqRange } from '../shared/activity-io';
import { Item, type SessionItem } from '../shared/schemas';
import { isMessage, pairingOf, typeOf } from '../shared/items';
import { invalidRow, parseOrFail } from '../shared/parse';
import { contentSealer } from './content-sealing';

/** An items row as Postgres returns it. */
export const ItemRow = z.object({
  seq: z.number().int().positive(),
  agent: z.string(),
  item: Item,
  summary: z.boolean(),
  created_at: z.date(),
});
export type ItemRow = z.infer<typeof ItemRow>;

const ITEM_COLUMNS = 'seq, agent, item, summary, created_at';

/** How many tool calls `readPopTarget` reads at a time while it looks for the one a popped output answers. */
const POP_SCAN_PAGE = 100;

/**
 * Writes items (removing `removeSeqs` first, for a suffix replacement), the session's row and the
 * usage the write spent in one statement: one atomic write, even over a multiplexed connection.
 * Idempotent by (session_id, seq); a stale retry never moves the session row back.
 */
export async function writeItems(pool: Pool, write: ProjectionInput): Promise<void> {
  const spent = write.spent
    ? {
        kind: write.spent.kind,
        turn: write.spent.turn ?? null,
        message_id: write.spent.messageId ?? null,
        requests: write.spent.usage.requests,
        input_tokens: write.spent.usage.inputTokens,
        output_tokens: write.spent.usage.outputTokens,
        total_tokens: write.spent.usage.totalTokens,
      }
    : null;
  await pool.query(
    `WITH removed AS (
       DELETE FROM items WHERE session_id = $1 AND seq = ANY($6::integer[])
     ),
     upsert_session AS (
       INSERT INTO sessions AS s (id, item_count, last_seq, status, current_agent, user_id, labels)
       VALUES ($1, $2, $3, 'active', $4, $7, coalesce($8::jsonb, '{}'::jsonb))
       ON CONFLICT (id) DO UPDATE
         SET item_count = excluded.item_count, last_seq = excluded.last_seq,
             current_agent = excluded.current_agent, updated_at = now(),
             user_id = coalesce(excluded.user_id, s.user_id), labels = coalesce($8::jsonb, s.labels)
         WHERE s.last_seq <= excluded.last_seq
       RETURNING id
     ),
     spent AS (
       INSERT INTO usage (session_id, seq, kind, turn, message_id, agent, requests, input_tokens, output_tokens, total_tokens, created_at)
       SELECT $1, $3, u.kind, u.turn, u.message_id, $4, u.requests, u.input_tokens, u.output_tokens, u.total_tokens, now()
         FROM jsonb_to_record($9::jsonb) AS u (kind text, turn integer, message_id text, requests integer,
                                               input_tokens integer, output_tokens integer, total_tokens integer)
        WHERE $9::jsonb IS NOT NULL
       ON CONFLICT (session_id, seq) DO NOTHING
     )
     INSERT INTO items (session_id, seq, type, role, agent, item, summary, created_at)
     SELECT $1, r.seq, r.type, r.role, r.agent, r.item, coalesce(r.summary, false), r.at
       FROM jsonb_to_recordset($5::jsonb) AS r (seq integer, type text, role text, agent text, at timestamptz, item jsonb, summary boolean)
     ON CONFLICT (session_id, seq) DO UPDATE
       SET type = excluded.type, role = excluded.role, agent = excluded.agent, item = excluded.item, summary = excluded.summary`,
    [
      write.sessionId,
      write.session.itemCount,
      write.session.lastSeq,
      write.session.agent,
      JSON.stringify(storedItems(pool, write.items)),
      write.removeSeqs ?? [],
      write.session.userId ?? null,
      write.session.labels ? JSON.stringify(write.session.labels) : null,
      spent ? JSON.stringify(spent) : null,
    ],
  );
}

/**
 * Items as the items table's columns take them: the item's type and role beside it (plain, for the
 * queries that pick by them) and the item sealed when the pool seals content.
 */
export function storedItems(pool: Pool, items: SessionItem[]): Array<Omit<SessionItem, 'item'> & { type: string; role: string | null; item: unknown }> {
  const sealer = contentSealer(pool);
  return items.map(({ item, ...rest }) => ({ ...rest, type: typeOf(item), role: isMessage(item) ? item.role : null, item: sealer.sealJson(item) }));
}

/** Removes some items (or all of them) and updates the session row, in one statement; idempotent. */
export async function removeItems(pool: Pool, removal: RemoveItemsInput): Promise<void> {
  await pool.query(
    `WITH removed AS (
       DELETE FROM items WHERE session_id = $1 AND ($2::integer[] IS NULL OR seq = ANY($2::integer[]))
     )
     UPDATE sessions SET item_count = $3, last_seq = greatest(last_seq, $4), current_agent = $5, updated_at = now()
      WHERE id = $1`,
    [removal.sessionId, removal.seqs ?? null, removal.session.itemCount, removal.session.lastSeq, removal.session.agent],
  );
}

/** The items of the given seq ranges, in the order of the ranges, each range in seq order. */
export async function readItemRanges(pool: Pool, sessionId: string, ranges: SeqRange[]): Promise<SessionItem[]> {
  if (ranges.length === 0) return [];
  const { rows } = await pool.query(
    `SELECT ${ITEM_COLUMNS} FROM items i
       JOIN unnest($2::integer[], $3::integer[]) WITH ORDINALITY AS r (from_seq, through_seq, position)
         ON i.seq BETWEEN r.from_seq AND r.through_seq
      WHERE i.session_id = $1
      ORDER BY r.position, i.seq`,
    [sessionId, ranges.map((range) => range[0]), ranges.map((range) => range[1])],
  );
  return toSessionItems(pool, rows);
}

/** The latest `limit` items of a session with seq in [fromSeq, throughSeq], in chronological order. */
export async function readLatestItems(
  pool: Pool,
  sessionId: string,
  options: { limit?: number; fromSeq?: number; throughSeq?: number; withoutSummaries?: boolean } = {},
): Promise<SessionItem[]> {
  const { limit, fromSeq, throughSeq, withoutSummaries } = options;
  if (fromSeq === undefined && throughSeq === undefined && !withoutSummaries) {
    // The common read (the latest N): the bare index walk, newest first, turned around here.
    const { rows } = await pool.query(`SELECT ${ITEM_COLUMNS} FROM items WHERE session_id = $1 ORDER BY seq DESC LIMIT $2`, [sessionId, limit ?? null]);
    return toSessionItems(pool, rows.reverse());
  }
  const { rows } = await pool.query(
    `SELECT ${ITEM_COLUMNS} FROM items
      WHERE session_id = $1 AND seq >= coalesce($3::integer, 0) AND seq <= coalesce($4::integer, 2147483647)
        AND NOT (summary AND $5::boolean)
      ORDER BY seq DESC LIMIT $2`,
    [sessionId, limit ?? null, fromSeq ?? null, throughSeq ?? null, withoutSummaries ?? false],
  );
  return toSessionItems(pool, rows.reverse());
}

/**
 * What `popItem` removes: the latest item that is not a compaction summary and, when it is a tool's
 * output (in either spelling: `function_call_output`, the Agents SDK's `function_call_result`, a
 * computer or shell call's output), the call it answers (so no call is ever left without its output). Read-only; chronological.
 */
export async function readPopTarget(pool: Pool, sessionId: string): Promise<SessionItem[]> {
  const [latest] = await readLatestItems(pool, sessionId, { limit: 1, withoutSummaries: true });
  if (!latest) return [];
  const pairing = pairingOf(latest.item);
  if (pairing?.role !== 'output') return [latest];
  const callType = typeOf(latest.item).replace(/_(output|result)$/, '');
  // The call is found by reading the calls before the output, newest first (their content may be sealed).
  for (let before = latest.seq; ;) {
    const { rows } = await pool.query(`SELECT ${ITEM_COLUMNS} FROM items WHERE session_id = $1 AND seq < $2 AND type = $4 ORDER BY seq DESC LIMIT $3`, [
      sessionId,
      before,
      POP_SCAN_PAGE,
      callType,
    ]);
    const calls = toSessionItems(pool, rows);
    const call = calls.find((candidate) => {
      const candidatePairing = pairingOf(candidate.item);
      return candidatePairing?.role === 'call' && candidatePairing.callId === pairing.callId;
    });
    if (call) return [call, latest];
    if (calls.length < POP_SCAN_PAGE) return [latest];
    before = calls[calls.length - 1].seq;
  }
}

/** The rows of a pool's items query as session items: each opened when sealed, then checked. */
function toSessionItems(pool: Pool, rows: Array<{ item: unknown }>): SessionItem[] {
  const sealer = contentSealer(pool);
  return rows.map((row) => toSessionItem({ ...row, item: sealer.openJson(row.item) }));
}

/** A checked row as a session item (the row schema already checked the item). */
function toSessionItem(row: unknown): SessionItem {
  const parsed = parseOrFail(ItemRow, row, 'an items row', invalidRow);
  return {
    seq: parsed.seq,
    agent: parsed.agent,
    at: parsed.created_at.toISOString(),
    item: parsed.item,
    ...(parsed.summary ? { summary: true as const } : {}),
  };
}

/** The items with these seqs, in seq order. */
export async function readItemsBySeq(pool: Pool, sessionId: string, seqs: number[]): Promise<SessionItem[]> {
  if (seqs.length === 0) return [];
  const { rows } = await pool.query(`SELECT ${ITEM_COLUMNS} FROM items WHERE session_id = $1 AND seq = ANY($2::integer[]) ORDER BY seq`, [sessionId, seqs]);
  return toSessionItems(pool, rows);
}

/** A count, as `countItems` reads it. */
const CountRow = z.object({ count: z.number().int() });

/** How many items a session has. */
export async function countItems(pool: Pool, sessionId: string): Promise<number> {
  const { rows } = await pool.query('SELECT count(*)::integer AS count FROM items WHERE session_id = $1', [sessionId]);
  return parseOrFail(CountRow, rows[0], 'an items count', invalidRow).count;
}
