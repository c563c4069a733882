/**
 * A fresh, migrated database for one test file: a new database on the server at DATABASE_URL
 * (dropped afterwards), or an embedded PGlite in a temporary folder when DATABASE_URL is unset.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Client, type Pool } from 'pg';
import { startEmbeddedPostgres } from '../../src/dev/embedded-postgres';
import { openProjectionPool } from '../../src/postgres/pool';

/** A database that exists for one test file. */
export interface TestDatabase {
  url: string;
  pool: Pool;
  drop(): Promise<void>;
}

/** Creates the database and migrates it. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const serverUrl = process.env.DATABASE_URL;
  if (!serverUrl) return createEmbeddedDatabase();
  const name = `agent_sessions_test_${process.pid}_${Date.now().toString(36)}`;
  await withAdmin(serverUrl, (admin) => admin.query(`CREATE DATABASE ${name}`));
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const pool = await openProjectionPool(url.toString());
  return {
    url: url.toString(),
    pool,
    drop: async () => {
      await pool.end();
      await withAdmin(serverUrl, (admin) => admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
    },
  };
}

async function createEmbeddedDatabase(): Promise<TestDatabase> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'agent-sessions-pglite-'));
  const embedded = await startEmbeddedPostgres(dir);
  const pool = await openProjectionPool(embedded.url, 1);
  return {
    url: embedded.url,
    pool,
    drop: async () => {
      await pool.end();
      await embedded.stop();
      await rm(dir, { recursive: true, force: true });
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
