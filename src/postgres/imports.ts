/** Session documents staged for import, and the one statement that moves one into the projection. */
import type { Pool } from 'pg';
import { z } from 'zod';
import type { ImportSessionInput } from '../shared/activity-io';
import type { SessionExport } from '../shared/export';
import { invalidRow, parseOrFail } from '../shared/parse';
import { contentSealer } from './content-sealing';
import { storedItems } from './items';

/**
 * Stages what of a session document the projection takes (its items, as the items table stores them,
 * and its usage) under `importId` for the session `sessionId`; the rest travels to the workflow.
 */
export async function stageImport(pool: Pool, importId: string, sessionId: string, document: SessionExport): Promise<void> {
  const staged = { items: storedItems(pool, document.items), usage: document.usage };
  await pool.query('INSERT INTO session_imports (id, session_id, document) VALUES ($1, $2, $3)', [importId, sessionId, JSON.stringify(staged)]);
}

/** Removes a staged document that will not be imported (its session could not start). */
export async function discardImport(pool: Pool, importId: string): Promise<void> {
  await pool.query('DELETE FROM session_imports WHERE id = $1', [importId]);
}

/** A staged item as `stageImport` stored it: its item sealed, or not, by the client that staged it. */
const StagedItem = z.object({ item: z.unknown() }).passthrough();

/** A staged document as `stageImport` stored it (its items and its usage), as re-sealing reads it back. */
export const StagedDocument = z.object({ items: z.array(StagedItem).optional() }).passthrough();

/** The items of a staged document, as `applyImport` reads them. */
const StagedItemsRow = z.object({ items: z.array(StagedItem) });

/**
 * Moves a staged document into sessions, items and usage and deletes it, in one statement (atomic even
 * over a multiplexed connection); a no-op once done, so a retried import writes nothing twice. The
 * items are stored as this pool seals content, whatever the client that staged them did.
 */
export async function applyImport(pool: Pool, input: ImportSessionInput): Promise<void> {
  const { rows } = await pool.query("SELECT document->'items' AS items FROM session_imports WHERE id = $1 AND session_id = $2", [input.importId, input.sessionId]);
  if (rows.length === 0) return;
  const sealer = contentSealer(pool);
  const items = parseOrFail(StagedItemsRow, rows[0], 'a staged import', invalidRow).items.map((staged) => ({ ...staged, item: sealer.sealJson(sealer.openJson(staged.item)) }));
  await pool.query(
    `WITH doc AS (
       DELETE FROM session_imports WHERE id = $1 AND session_id = $2 RETURNING document
     ),
     upsert_session AS (
       INSERT INTO sessions AS s (id, item_count, last_seq, status, current_agent, user_id, labels)
       SELECT $2, jsonb_array_length(doc.document->'items'), $3, 'active', $4, $5, $6::jsonb FROM doc
       ON CONFLICT (id) DO UPDATE
         SET item_count = excluded.item_count, last_seq = excluded.last_seq, current_agent = excluded.current_agent,
             user_id = excluded.user_id, labels = excluded.labels, updated_at = now()
       RETURNING id
     ),
     spent AS (
       INSERT INTO usage (session_id, seq, kind, turn, message_id, agent, requests, input_tokens, output_tokens, total_tokens, created_at)
       SELECT $2, u.seq, u.kind, u.turn, u."messageId", u.agent, (u.usage->>'requests')::integer, (u.usage->>'inputTokens')::integer,
              (u.usage->>'outputTokens')::integer, (u.usage->>'totalTokens')::integer, u.at
         FROM doc, jsonb_to_recordset(doc.document->'usage')
           AS u (seq integer, kind text, turn integer, "messageId" text, agent text, usage jsonb, at timestamptz)
       ON CONFLICT (session_id, seq) DO NOTHING
     )
     INSERT INTO items (session_id, seq, type, role, agent, item, summary, created_at)
     SELECT $2, r.seq, r.type, r.role, r.agent, r.item, coalesce(r.summary, false), r.at
       FROM doc, jsonb_to_recordset($7::jsonb) AS r (seq integer, type text, role text, agent text, at timestamptz, item jsonb, summary boolean)
     ON CONFLICT (session_id, seq) DO NOTHING`,
    [input.importId, input.sessionId, input.lastSeq, input.agent, input.userId ?? null, JSON.stringify(input.labels), JSON.stringify(items)],
  );
}
