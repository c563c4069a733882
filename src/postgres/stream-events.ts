/** The stored events of streamed turns: appended by activity attempts (fenced), read by offset. */
import type { Pool } from 'pg';
import { z } from 'zod';
import { StoredStreamEvent } from '../shared/stream';
import { invalidRow, parseOrFail } from '../shared/parse';
import { contentSealer } from './content-sealing';

/** Who writes: the message's stream, the step and Temporal's attempt number. */
export interface StreamWriterKey {
  sessionId: string;
  messageId: string;
  step: number;
  attempt: number;
}

/** The offset `append_stream_events` wrote last (a bigint, as text), or null when the attempt was fenced out. */
const AppendedRow = z.object({ last: z.string().nullable() });

/**
 * Appends events as one attempt (an empty list only claims the stream); the offset of the last event
 * written, or `undefined` when a newer attempt has taken the stream over (this one is a zombie).
 */
export async function appendStreamEvents(pool: Pool, key: StreamWriterKey, events: StoredStreamEvent[]): Promise<number | undefined> {
  const { rows } = await pool.query('SELECT append_stream_events($1, $2, $3, $4, $5::jsonb) AS last', [
    key.sessionId,
    key.messageId,
    key.step,
    key.attempt,
    JSON.stringify(events.map((event) => contentSealer(pool).sealJson(event))),
  ]);
  const last = parseOrFail(AppendedRow, rows[0], 'the offset append_stream_events wrote', invalidRow).last;
  return last === null ? undefined : Number(last);
}

/** A stored event as Postgres returns it (the event checked once it is opened). */
const EventRow = z.object({ offset: z.string().regex(/^\d+$/), event: z.unknown() });

/** The events of a message's stream after `after`, in order, at most `limit`. */
export async function readStreamEvents(pool: Pool, sessionId: string, messageId: string, after: number, limit = 1_000): Promise<Array<StoredStreamEvent & { offset: number }>> {
  const { rows } = await pool.query(
    `SELECT "offset", event FROM stream_events
      WHERE session_id = $1 AND message_id = $2 AND "offset" > $3 ORDER BY "offset" LIMIT $4`,
    [sessionId, messageId, after, limit],
  );
  const sealer = contentSealer(pool);
  return rows.map((raw) => {
    const row = parseOrFail(EventRow, raw, 'a stream_events row', invalidRow);
    return { ...parseOrFail(StoredStreamEvent, sealer.openJson(row.event), 'a stored stream event', invalidRow), offset: Number(row.offset) };
  });
}

/** The offset of a stream's last event (a bigint, as text), as `readStreamHead` reads it. */
const StreamHeadRow = z.object({ last: z.string().regex(/^\d+$/) });

/** The offset of the last event of a message's stream, or undefined when it has none. */
export async function readStreamHead(pool: Pool, sessionId: string, messageId: string): Promise<number | undefined> {
  const { rows } = await pool.query('SELECT next_offset - 1 AS last FROM stream_heads WHERE session_id = $1 AND message_id = $2', [sessionId, messageId]);
  return rows.length === 0 ? undefined : Number(parseOrFail(StreamHeadRow, rows[0], 'a stream_heads row', invalidRow).last);
}

/** Removes every stream of a session (when it is deleted). */
export async function deleteSessionStreams(pool: Pool, sessionId: string): Promise<void> {
  await pool.query('DELETE FROM stream_events WHERE session_id = $1', [sessionId]);
  await pool.query('DELETE FROM stream_heads WHERE session_id = $1', [sessionId]);
}
