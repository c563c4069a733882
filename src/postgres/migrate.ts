/**
 * Applies the numbered SQL files in migrations/ that a database has not seen yet, each in its own
 * transaction, under an advisory lock so that concurrent runs (several workers starting) are safe.
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Pool } from 'pg';
import { z } from 'zod';

/** The folder of the numbered migrations. */
export const MIGRATIONS_DIR = path.resolve(__dirname, '..', '..', 'migrations');

/** An arbitrary, fixed advisory lock key for migrations ("agentses" in ASCII). */
const MIGRATION_LOCK_KEY = 0x6167656e74736573n;

/** A migration file: its number and name, from `NNN_name.sql`. */
export const MigrationFile = z.object({ id: z.number().int().positive(), name: z.string(), file: z.string() });
export type MigrationFile = z.infer<typeof MigrationFile>;

/** The migration files in order; refuses duplicate numbers and badly named files. */
export async function listMigrations(dir = MIGRATIONS_DIR): Promise<MigrationFile[]> {
  const files = (await readdir(dir)).filter((file) => file.endsWith('.sql'));
  const migrations = files.map((file) => {
    const match = /^(\d+)_([a-z0-9_]+)\.sql$/.exec(file);
    if (!match) throw new Error(`migration file ${file} must be named NNN_snake_case.sql`);
    return MigrationFile.parse({ id: Number(match[1]), name: match[2], file: path.join(dir, file) });
  });
  const ids = new Set(migrations.map((migration) => migration.id));
  if (ids.size !== migrations.length) throw new Error(`two migration files in ${dir} share a number`);
  return migrations.sort((a, b) => a.id - b.id);
}

/** The migration run in progress in this process; later runs wait for it. */
let runningInProcess: Promise<unknown> = Promise.resolve();

/**
 * Applies pending migrations; returns the names of those it applied (none when up to date).
 * Runs in one process are serialised as well as locked: the embedded PGlite multiplexes every
 * connection onto one session, where an advisory lock excludes no one.
 */
export function migrate(pool: Pool, dir = MIGRATIONS_DIR): Promise<string[]> {
  const run = runningInProcess.then(() => migrateUnderLock(pool, dir));
  runningInProcess = run.catch(() => undefined);
  return run;
}

async function migrateUnderLock(pool: Pool, dir: string): Promise<string[]> {
  const migrations = await listMigrations(dir);
  const client = await pool.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY.toString()]);
    await client.query(
      `CREATE TABLE IF NOT EXISTS schema_migrations (
         id integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`,
    );
    const { rows } = await client.query('SELECT id FROM schema_migrations');
    const applied = new Set(rows.map((row) => z.object({ id: z.number() }).parse(row).id));
    const done: string[] = [];
    for (const migration of migrations.filter((candidate) => !applied.has(candidate.id))) {
      const sql = await readFile(migration.file, 'utf8');
      await client.query('BEGIN');
      try {
        await client.query(sql);
        await client.query('INSERT INTO schema_migrations (id, name) VALUES ($1, $2)', [migration.id, migration.name]);
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK');
        throw new Error(`migration ${path.basename(migration.file)} failed: ${(error as Error).message}`);
      }
      done.push(path.basename(migration.file));
    }
    return done;
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY.toString()]).catch(() => undefined);
    client.release();
  }
}
