/**
 * Migrations and the projection's queries against Postgres (DATABASE_URL, or embedded PGlite): each
 * test that needs an empty schema gets its own database, dropped afterwards.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Pool } from 'pg';
import { z } from 'zod';
import { readItemRanges, readLatestItems, writeItems } from '../src/postgres/items';
import { listMigrations, migrate } from '../src/postgres/migrate';
import { connectPool } from '../src/postgres/pool';
import type { ProjectionInput } from '../src/shared/activity-io';
import type { SessionItem } from '../src/shared/schemas';
import { UnreadableRowError } from '../src/shared/errors';
import { createEmptyDatabase, type EmptyDatabase } from './support/database';

const databases: EmptyDatabase[] = [];
const pools: Pool[] = [];
const tempDirs: string[] = [];

/** Creates an empty database (dropped in afterAll) and returns its URL. */
async function createDatabase(): Promise<string> {
  const database = await createEmptyDatabase();
  databases.push(database);
  return database.url;
}

/** A pool to a database (its connections in the agent_sessions schema), ended in afterAll. */
function openPool(url: string): Pool {
  const pool = connectPool(url, { max: 2 });
  pools.push(pool);
  return pool;
}

/** A temporary folder holding these migration files. */
async function migrationDir(files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'migrate-test-'));
  tempDirs.push(dir);
  for (const [name, sql] of Object.entries(files)) await writeFile(path.join(dir, name), sql);
  return dir;
}

async function tableNames(pool: Pool): Promise<string[]> {
  const { rows } = await pool.query("SELECT table_name FROM information_schema.tables WHERE table_schema = 'agent_sessions' ORDER BY table_name");
  return rows.map((row) => z.object({ table_name: z.string() }).parse(row).table_name);
}

async function appliedIds(pool: Pool): Promise<number[]> {
  const { rows } = await pool.query('SELECT id FROM schema_migrations ORDER BY id');
  return rows.map((row) => z.object({ id: z.number() }).parse(row).id);
}

afterAll(async () => {
  await Promise.all(pools.map((pool) => pool.end()));
  for (const database of databases) await database.drop();
  await Promise.all(tempDirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

describe('migrate', () => {
  test('creates sessions, items and schema_migrations in the agent_sessions schema of a fresh database and returns the files it applied', async () => {
    const pool = openPool(await createDatabase());
    const files = (await listMigrations()).map((migration) => path.basename(migration.file));
    expect(files).toContain('001_sessions_and_items.sql');
    expect(await migrate(pool)).toEqual(files);
    expect(await tableNames(pool)).toEqual(expect.arrayContaining(['items', 'schema_migrations', 'sessions']));
    const inPublic = await pool.query("SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'");
    expect(inPublic.rows).toEqual([]);
  });

  test('applies nothing on a second run', async () => {
    const pool = openPool(await createDatabase());
    await migrate(pool);
    expect(await migrate(pool)).toEqual([]);
    expect(await appliedIds(pool)).toEqual((await listMigrations()).map((migration) => migration.id));
  });

  test('five concurrent runs on separate pools all succeed and record each migration exactly once', async () => {
    const url = await createDatabase();
    const runs = await Promise.all(Array.from({ length: 5 }, () => migrate(openPool(url))));
    const migrations = await listMigrations();
    expect(runs.flat().sort()).toEqual(migrations.map((migration) => path.basename(migration.file)).sort());
    const { rows } = await openPool(url).query('SELECT id, count(*)::int AS n FROM schema_migrations GROUP BY id ORDER BY id');
    expect(rows).toEqual(migrations.map((migration) => ({ id: migration.id, n: 1 })));
  });

  test('rolls back a failing migration: its partial effects are gone and it is not recorded, earlier ones stay', async () => {
    const pool = openPool(await createDatabase());
    const dir = await migrationDir({
      '001_create_notes.sql': 'CREATE TABLE notes (id integer PRIMARY KEY);',
      '002_broken.sql': 'CREATE TABLE tags (id integer); INSERT INTO notes VALUES (1); SELECT * FROM no_such_table;',
    });
    await expect(migrate(pool, dir)).rejects.toThrow(/migration 002_broken\.sql failed: .*no_such_table/);
    expect(await appliedIds(pool)).toEqual([1]);
    expect(await tableNames(pool)).toEqual(['notes', 'schema_migrations']);
    expect((await pool.query('SELECT * FROM notes')).rowCount).toBe(0);
  });
});

describe('listMigrations', () => {
  test('refuses a badly named file', async () => {
    const dir = await migrationDir({ '001_ok.sql': 'SELECT 1;', 'add-Things.sql': 'SELECT 1;' });
    await expect(listMigrations(dir)).rejects.toThrow('migration file add-Things.sql must be named NNN_snake_case.sql');
  });

  test('refuses two files sharing a number, even written with different zero padding', async () => {
    const same = await migrationDir({ '001_first.sql': 'SELECT 1;', '001_second.sql': 'SELECT 1;' });
    await expect(listMigrations(same)).rejects.toThrow('share a number');
    const padded = await migrationDir({ '01_first.sql': 'SELECT 1;', '001_second.sql': 'SELECT 1;' });
    await expect(listMigrations(padded)).rejects.toThrow('share a number');
  });

  test('lists well-named files in order of their number and ignores files that are not .sql', async () => {
    const dir = await migrationDir({ '002_b.sql': '', '001_a.sql': '', 'README.md': '' });
    expect((await listMigrations(dir)).map((migration) => [migration.id, migration.name])).toEqual([
      [1, 'a'],
      [2, 'b'],
    ]);
  });

  test('orders by number, not by file name, when numbers have different widths', async () => {
    const dir = await migrationDir({ '9_b.sql': '', '10_a.sql': '', '1000_d.sql': '', '999_c.sql': '' });
    expect((await listMigrations(dir)).map((migration) => migration.id)).toEqual([9, 10, 999, 1000]);
  });
});

describe('the projection queries', () => {
  let pool: Pool;
  let sessionCounter = 0;

  beforeAll(async () => {
    pool = openPool(await createDatabase());
    await migrate(pool);
  });

  function newSessionId(): string {
    sessionCounter += 1;
    return `session-${sessionCounter}`;
  }

  function sessionItems(...seqs: number[]): SessionItem[] {
    return seqs.map((seq) => ({
      seq,
      agent: 'support',
      at: new Date(Date.UTC(2024, 0, 1, 0, 0, seq)).toISOString(),
      item: { type: 'message', role: seq % 2 === 1 ? 'user' : 'assistant', content: `message ${seq}` },
    }));
  }

  function turn(sessionId: string, items: SessionItem[], lastSeq: number, agent = 'support'): ProjectionInput {
    return { sessionId, items, session: { agent, itemCount: lastSeq, lastSeq } };
  }

  async function rowCountsBySeq(sessionId: string): Promise<Array<{ seq: number; n: number }>> {
    const { rows } = await pool.query('SELECT seq, count(*)::int AS n FROM items WHERE session_id = $1 GROUP BY seq ORDER BY seq', [sessionId]);
    return rows.map((row) => z.object({ seq: z.number(), n: z.number() }).parse(row));
  }

  test('writing the same turn twice (a retried activity) leaves one row per seq', async () => {
    const id = newSessionId();
    await writeItems(pool, turn(id, sessionItems(1, 2), 2));
    await writeItems(pool, turn(id, sessionItems(1, 2), 2));
    expect(await rowCountsBySeq(id)).toEqual([
      { seq: 1, n: 1 },
      { seq: 2, n: 1 },
    ]);
    expect(await readLatestItems(pool, id)).toEqual(sessionItems(1, 2));
  });

  test('a stale write with a lower lastSeq does not move the session row back', async () => {
    const id = newSessionId();
    await writeItems(pool, turn(id, sessionItems(1, 2), 2));
    await writeItems(pool, turn(id, sessionItems(3, 4), 4, 'billing'));
    await writeItems(pool, turn(id, sessionItems(1, 2), 2, 'support'));
    const { rows } = await pool.query('SELECT last_seq, item_count, current_agent FROM sessions WHERE id = $1', [id]);
    expect(rows[0]).toMatchObject({ last_seq: 4, item_count: 4, current_agent: 'billing' });
  });

  test('readLatestItems with a limit of 2 returns the last two items in ascending seq order', async () => {
    const id = newSessionId();
    await writeItems(pool, turn(id, sessionItems(1, 2, 3, 4, 5), 5));
    expect((await readLatestItems(pool, id, { limit: 2 })).map((item) => item.seq)).toEqual([4, 5]);
    expect(await readItemRanges(pool, id, [[2, 3]])).toEqual(sessionItems(2, 3));
  });

  test('a stored item that is not a valid item makes reads throw UnreadableRowError (never a ZodError) instead of returning it', async () => {
    const id = newSessionId();
    await writeItems(pool, turn(id, sessionItems(1), 1));
    await pool.query(
      `INSERT INTO items (session_id, seq, type, role, agent, item, created_at)
       VALUES ($1, 2, 'message', 'robot', 'support', $2::jsonb, now())`,
      [id, JSON.stringify({ type: 'message', role: 'robot', content: 'beep' })],
    );
    const unreadable = readLatestItems(pool, id);
    await expect(unreadable).rejects.toBeInstanceOf(UnreadableRowError);
    await expect(unreadable).rejects.toThrow(/^Postgres returned an items row this version cannot read: item/);
    await expect(readItemRanges(pool, id, [[1, 2]])).rejects.toBeInstanceOf(UnreadableRowError);
    await expect(readItemRanges(pool, id, [[1, 1]])).resolves.toEqual(sessionItems(1));
  });
});
