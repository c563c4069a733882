/** The projection's usage rows: the tokens every turn and compaction of a session spent. */
import type { Pool } from 'pg';
import { z } from 'zod';
import type { UsageEntry } from '../shared/listing';
import { invalidRow, parseOrFail } from '../shared/parse';

/** A usage row as Postgres returns it. */
const UsageRow = z.object({
  seq: z.number().int().positive(),
  kind: z.enum(['turn', 'compaction']),
  turn: z.number().int().positive().nullable(),
  message_id: z.string().nullable(),
  agent: z.string(),
  requests: z.number().int().nonnegative(),
  input_tokens: z.number().int().nonnegative(),
  output_tokens: z.number().int().nonnegative(),
  total_tokens: z.number().int().nonnegative(),
  created_at: z.date(),
});

/** A session's usage entries in the order they were spent. */
export async function readUsage(pool: Pool, sessionId: string): Promise<UsageEntry[]> {
  const { rows } = await pool.query(
    `SELECT seq, kind, turn, message_id, agent, requests, input_tokens, output_tokens, total_tokens, created_at
       FROM usage WHERE session_id = $1 ORDER BY seq`,
    [sessionId],
  );
  return rows.map((raw) => {
    const row = parseOrFail(UsageRow, raw, 'a usage row', invalidRow);
    return {
      seq: row.seq,
      kind: row.kind,
      turn: row.turn,
      messageId: row.message_id,
      agent: row.agent,
      usage: { requests: row.requests, inputTokens: row.input_tokens, outputTokens: row.output_tokens, totalTokens: row.total_tokens },
      at: row.created_at.toISOString(),
    };
  });
}
