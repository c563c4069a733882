/** The memory store's queries: remembering a fact, listing a user's memories, forgetting one. */
import type { Pool } from 'pg';
import { z } from 'zod';
import type { Memory, MemoryInput, MemorySelector } from '../shared/memory';
import { invalidRow, parseOrFail } from '../shared/parse';
import type { ContentSealer } from '../codec/content-sealer';
import { contentSealer } from './content-sealing';

/** A memories row as Postgres returns it (bigserial ids arrive as text). */
const MemoryRow = z.object({
  id: z.union([z.string(), z.number()]).transform(Number),
  user_id: z.string(),
  key: z.string().nullable(),
  text: z.string(),
  text_sealed: z.boolean(),
  source_session: z.string().nullable(),
  created_at: z.date(),
  updated_at: z.date(),
});

const MEMORY_COLUMNS = 'id, user_id, key, text, text_sealed, source_session, created_at, updated_at';

/** A checked memories row as a memory, its text opened when sealed. */
function toMemory(sealer: ContentSealer, row: unknown): Memory {
  const parsed = parseOrFail(MemoryRow, row, 'a memories row', invalidRow);
  return {
    id: parsed.id,
    userId: parsed.user_id,
    key: parsed.key,
    text: sealer.openText({ text: parsed.text, sealed: parsed.text_sealed }),
    sourceSession: parsed.source_session,
    createdAt: parsed.created_at.toISOString(),
    updatedAt: parsed.updated_at.toISOString(),
  };
}

/** Stores a fact for a user; a fact with a key replaces the user's earlier fact with that key. */
export async function insertMemory(pool: Pool, userId: string, memory: MemoryInput, sourceSession: string | null): Promise<Memory> {
  const sealer = contentSealer(pool);
  const stored = sealer.sealText(memory.text);
  const { rows } = await pool.query(
    `INSERT INTO memories (user_id, key, text, text_sealed, source_session) VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (user_id, key) WHERE key IS NOT NULL
       DO UPDATE SET text = excluded.text, text_sealed = excluded.text_sealed, source_session = excluded.source_session, updated_at = now()
     RETURNING ${MEMORY_COLUMNS}`,
    [userId, memory.key ?? null, stored.text, stored.sealed, sourceSession],
  );
  return toMemory(sealer, rows[0]);
}

/** A user's memories, most recently changed first, at most `limit`. */
export async function selectMemories(pool: Pool, userId: string, limit: number): Promise<Memory[]> {
  const { rows } = await pool.query(`SELECT ${MEMORY_COLUMNS} FROM memories WHERE user_id = $1 ORDER BY updated_at DESC, id DESC LIMIT $2`, [userId, limit]);
  const sealer = contentSealer(pool);
  return rows.map((row) => toMemory(sealer, row));
}

/** Removes one of the user's memories (by id or key); the removed memory, or undefined when none matched. */
export async function deleteMemory(pool: Pool, userId: string, selector: MemorySelector): Promise<Memory | undefined> {
  const { rows } = await pool.query(`DELETE FROM memories WHERE user_id = $1 AND ${'id' in selector ? 'id = $2::bigint' : 'key = $2'} RETURNING ${MEMORY_COLUMNS}`, [
    userId,
    'id' in selector ? String(selector.id) : selector.key,
  ]);
  return rows.length === 0 ? undefined : toMemory(contentSealer(pool), rows[0]);
}
