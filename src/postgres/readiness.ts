/**
 * Whether the projection can be used: Postgres answers, and every migration in migrations/ is recorded
 * in the schema's migrations table (a worker applies them when it starts; `serve` needs them applied).
 */
import type { Pool } from 'pg';
import { z } from 'zod';
import { BackendUnavailableError } from '../shared/errors';
import { listMigrations } from './migrate';
import { databaseSchema, quoteSchema, schemaOf } from './schema';

/** Postgres's code for a table that does not exist. */
const UNDEFINED_TABLE = '42P01';

/**
 * Resolves when Postgres answers through `pool` and has every migration of this version recorded in
 * the pool's schema; throws BackendUnavailableError saying which migrations are missing (apply them
 * with `npx agent-sessions migrate`, or start a worker) or why Postgres did not answer.
 */
export async function checkProjectionReady(pool: Pool): Promise<void> {
  const schema = databaseSchema(schemaOf(pool));
  let applied: Set<number>;
  try {
    const { rows } = await pool.query(`SELECT id FROM ${quoteSchema(schema)}.schema_migrations`);
    applied = new Set(rows.map((row) => z.object({ id: z.number() }).parse(row).id));
  } catch (error) {
    if ((error as { code?: string }).code === UNDEFINED_TABLE) applied = new Set();
    else throw new BackendUnavailableError(`Postgres does not answer: ${(error as Error).message.split('\n')[0]}; check DATABASE_URL and that the server runs`, { cause: error });
  }
  const missing = (await listMigrations()).filter((migration) => !applied.has(migration.id));
  if (missing.length > 0) {
    throw new BackendUnavailableError(
      `the schema ${schema} lacks migrations ${missing.map((migration) => `${String(migration.id).padStart(3, '0')}_${migration.name}`).join(', ')}: run \`npx agent-sessions migrate\` or start a worker, which applies them`,
    );
  }
}
