/**
 * Fresh databases for tests: a new database on the server at DATABASE_URL (dropped afterwards), or
 * an embedded PGlite in a temporary folder when DATABASE_URL is unset.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Client, type Pool } from 'pg';
import { startEmbeddedPostgres } from '../../src/dev/embedded-postgres';
import { openProjectionPool } from '../../src/postgres/pool';

/** An empty database and the way to remove it. */
export interface EmptyDatabase {
  url: string;
  /** Whether this is the embedded PGlite (one session shared by all connections). */
  embedded: boolean;
  drop(): Promise<void>;
}

/** A migrated database with an open pool, for one test file. */
export interface TestDatabase extends EmptyDatabase {
  pool: Pool;
}

let counter = 0;

/** Creates an empty database, with no tables. */
export async function createEmptyDatabase(): Promise<EmptyDatabase> {
  const serverUrl = process.env.DATABASE_URL;
  if (!serverUrl) {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'agent-sessions-pglite-'));
    const embedded = await startEmbeddedPostgres(dir);
    return {
      url: embedded.url,
      embedded: true,
      drop: async () => {
        await embedded.stop();
        await rm(dir, { recursive: true, force: true });
      },
    };
  }
  counter += 1;
  const name = `agent_sessions_test_${process.pid}_${Date.now().toString(36)}_${counter}`;
  await withAdmin(serverUrl, (admin) => admin.query(`CREATE DATABASE ${name}`));
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    embedded: false,
    drop: () => withAdmin(serverUrl, (admin) => admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)),
  };
}

/** Creates a database and migrates it. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const empty = await createEmptyDatabase();
  const pool = await openProjectionPool(empty.url, { max: empty.embedded ? 1 : 5 });
  return {
    ...empty,
    pool,
    drop: async () => {
      await pool.end();
      await empty.drop();
    },
  };
}

async function withAdmin(url: string, run: (client: Client) => Promise<unknown>): Promise<void> {
  const admin = new Client({ connectionString: url });
  await admin.connect();
  try {
    await run(admin);
  } finally {
    await admin.end();
  }
}

/** Every row of every table in the pool's schema, as text: what someone reading the database sees. */
export async function everyRowAsText(pool: Pool): Promise<{ tables: string[]; text: string }> {
  const { rows } = await pool.query<{ name: string }>(
    "SELECT table_name AS name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'",
  );
  const tables = rows.map((row) => row.name);
  const dumps = await Promise.all(tables.map(async (name) => (await pool.query(`SELECT t::text AS row FROM "${name}" t`)).rows.map((row) => String(row.row))));
  return { tables, text: dumps.flat().join('\n') };
}
