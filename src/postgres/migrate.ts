/**
 * Applies the numbered SQL files in migrations/ that a database has not seen yet, each in its own
 * transaction, under an advisory lock so that concurrent runs (several workers starting) are safe.
 * Everything lives in the projection's schema (`agent_sessions` by default), migrations table
 * included: the runner creates the schema, and moves an older deployment's tables there from public.
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Pool, PoolClient } from 'pg';
import { z } from 'zod';
import { invalidRow, parseOrFail } from '../shared/parse';
import { databaseSchema, quoteSchema, schemaOf } from './schema';

/** The folder of the numbered migrations. */
export const MIGRATIONS_DIR = path.resolve(__dirname, '..', '..', 'migrations');

/** An arbitrary, fixed advisory lock key for migrations ("agentses" in ASCII). */
const MIGRATION_LOCK_KEY = 0x6167656e74736573n;

/** A migration file: its number and name, from `NNN_name.sql`. */
export const MigrationFile = z.object({ id: z.number().int().positive(), name: z.string(), file: z.string() });
export type MigrationFile = z.infer<typeof MigrationFile>;

/** An applied migration's number, as the runner reads its migrations table. */
const MigrationIdRow = z.object({ id: z.number() });

/** A migration public.schema_migrations records (read as text: the table may be another application's). */
const RecordedMigrationRow = z.object({ id: z.string(), name: z.string() });

/** A function's signature (`name(argument types)`), as the move from public reads it. */
const FunctionSignatureRow = z.object({ signature: z.string() });

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

/** Which migrations, into which schema. */
export interface MigrateOptions {
  /** The folder of the numbered SQL files (this project's by default). */
  dir?: string;
  /** The schema: the pool's own (`connectPool`), else `AGENT_SESSIONS_DB_SCHEMA`, else agent_sessions. */
  schema?: string;
}

/**
 * Applies pending migrations in the projection's schema; returns the names of those it applied (none
 * when up to date). Runs in one process are serialised as well as locked: the embedded PGlite
 * multiplexes every connection onto one session, where an advisory lock excludes no one.
 */
export function migrate(pool: Pool, options: MigrateOptions | string = {}): Promise<string[]> {
  const { dir = MIGRATIONS_DIR, schema: wanted } = typeof options === 'string' ? { dir: options } : options;
  const schema = databaseSchema(wanted ?? schemaOf(pool));
  const run = runningInProcess.then(() => migrateUnderLock(pool, dir, schema));
  runningInProcess = run.catch(() => undefined);
  return run;
}

async function migrateUnderLock(pool: Pool, dir: string, schema: string): Promise<string[]> {
  const migrations = await listMigrations(dir);
  const client = await pool.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY.toString()]);
    const exists = await client.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [schema]);
    // Only when missing: CREATE SCHEMA IF NOT EXISTS needs the CREATE privilege even when it exists.
    if (exists.rowCount === 0) await client.query(`CREATE SCHEMA IF NOT EXISTS ${quoteSchema(schema)}`);
    await client.query(`SET search_path TO ${quoteSchema(schema)}`);
    await adoptPublicDeployment(client, schema, migrations);
    await client.query(
      `CREATE TABLE IF NOT EXISTS schema_migrations (
         id integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`,
    );
    const { rows } = await client.query('SELECT id FROM schema_migrations');
    const applied = new Set(rows.map((row) => parseOrFail(MigrationIdRow, row, 'a schema_migrations id', invalidRow).id));
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
        throw new Error(`migration ${path.basename(migration.file)} failed: ${(error as Error).message}`, { cause: error });
      }
      done.push(path.basename(migration.file));
    }
    return done;
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY.toString()]).catch(() => undefined);
    // A connection of another pool keeps the search_path set here: close it rather than hand it back.
    client.release(schemaOf(pool) === schema ? undefined : true);
  }
}

/** What a migration's SQL creates that lives in a schema: its tables and its functions. */
export function createdObjects(sql: string): { tables: string[]; functions: string[] } {
  const code = sql.replace(/--[^\n]*/g, '');
  const names = (pattern: RegExp) => [...code.matchAll(pattern)].map((match) => match[1].toLowerCase());
  return {
    tables: names(/\bCREATE\s+(?:UNLOGGED\s+)?TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?([A-Za-z_][A-Za-z0-9_]*)/gi),
    functions: names(/\bCREATE\s+(?:OR\s+REPLACE\s+)?FUNCTION\s+([A-Za-z_][A-Za-z0-9_]*)\s*\(/gi),
  };
}

/**
 * An older deployment (0.1) kept its tables and its migrations table in public. When `schema` has no
 * migrations table yet and public.schema_migrations is this project's (it records migration 1 as
 * `sessions_and_items`, in this runner's id and name columns), moves every table and function the
 * recorded migrations created, and the migrations table, into `schema` in one transaction (indexes,
 * constraints and owned sequences move with their tables); the pending migrations then apply there.
 * A public.schema_migrations of another application is left alone.
 */
async function adoptPublicDeployment(client: PoolClient, schema: string, migrations: MigrationFile[]): Promise<void> {
  if (schema === 'public') return;
  const tableIn = async (namespace: string, table: string) =>
    (await client.query('SELECT 1 FROM pg_tables WHERE schemaname = $1 AND tablename = $2', [namespace, table])).rowCount !== 0;
  if ((await tableIn(schema, 'schema_migrations')) || !(await tableIn('public', 'schema_migrations'))) return;
  const columns = await client.query(
    `SELECT column_name FROM information_schema.columns
      WHERE table_schema = 'public' AND table_name = 'schema_migrations' AND column_name IN ('id', 'name')`,
  );
  if (columns.rowCount !== 2) return;
  const { rows } = await client.query('SELECT id::text AS id, name::text AS name FROM public.schema_migrations');
  const recorded = rows.map((row) => parseOrFail(RecordedMigrationRow, row, 'a public.schema_migrations row', invalidRow));
  const first = migrations.find((migration) => migration.id === 1);
  if (!first || !recorded.some((row) => row.id === '1' && row.name === first.name)) return;
  const files = recorded.map((row) => {
    const known = migrations.find((migration) => String(migration.id) === row.id && migration.name === row.name);
    if (!known) {
      throw new Error(
        `public.schema_migrations records migration ${row.id} (${row.name}), which this version does not have: run a version that does, or move the tables into ${schema} by hand`,
      );
    }
    return known;
  });
  const target = quoteSchema(schema);
  await client.query('BEGIN');
  try {
    for (const file of files) {
      const created = createdObjects(await readFile(file.file, 'utf8'));
      for (const table of created.tables) await client.query(`ALTER TABLE IF EXISTS public."${table}" SET SCHEMA ${target}`);
      for (const name of created.functions) {
        const functions = await client.query(
          `SELECT p.oid::regprocedure::text AS signature FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
            WHERE n.nspname = 'public' AND p.proname = $1`,
          [name],
        );
        for (const row of functions.rows) {
          await client.query(`ALTER FUNCTION ${parseOrFail(FunctionSignatureRow, row, 'a function signature', invalidRow).signature} SET SCHEMA ${target}`);
        }
      }
    }
    await client.query(`ALTER TABLE public.schema_migrations SET SCHEMA ${target}`);
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK');
    throw new Error(`moving this project's tables from public into ${schema} failed: ${(error as Error).message}`, { cause: error });
  }
}
