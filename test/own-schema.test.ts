/**
 * The projection's tables live in a schema of their own (agent_sessions by default): an application's
 * own sessions, items, usage, memories and schema_migrations tables in public are never touched, a
 * 0.1 deployment's tables are moved out of public at the first start, and two deployments in one
 * database (two schemas) neither see nor hear each other.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { Client, type Pool } from 'pg';
import { z } from 'zod';
import { SessionsClient } from '../src/client/sessions-client';
import { startTemporalDevServer } from '../src/dev/temporal-server';
import { supportAgent } from '../src/dev/demo-agent';
import { startOfflineModel } from '../src/offline-model/server';
import { OFFLINE_MODEL_ID } from '../src/offline-model/wire';
import { createdObjects, listMigrations, migrate } from '../src/postgres/migrate';
import { connectPool, databaseSchema } from '../src/postgres/pool';
import { InvalidInputError } from '../src/shared/errors';
import { startWorker } from '../src/worker/run-worker';
import { installRuntimeLogger } from '../src/worker/temporal-logging';
import { createEmptyDatabase, type EmptyDatabase } from './support/database';
import { workflowBundle } from './support/stack';

const databases: EmptyDatabase[] = [];
const pools: Pool[] = [];

async function createDatabase(): Promise<EmptyDatabase> {
  const database = await createEmptyDatabase();
  databases.push(database);
  return database;
}

function openPool(url: string, schema?: string): Pool {
  const pool = connectPool(url, { max: 1, schema });
  pools.push(pool);
  return pool;
}

/** Runs `run` on a plain connection (no search_path of ours). */
async function withClient<T>(url: string, run: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return await run(client);
  } finally {
    await client.end();
  }
}

afterAll(async () => {
  await Promise.all(pools.map((pool) => pool.end()));
  for (const database of databases) await database.drop();
});

/** Another application's tables in public, with our table names and other columns, and rows. */
const FOREIGN_TABLES = ['sessions', 'items', 'usage', 'memories', 'schema_migrations'];
const FOREIGN_SQL = `
  CREATE TABLE public.sessions (sid varchar PRIMARY KEY, sess json NOT NULL, expire timestamp(6) NOT NULL);
  CREATE INDEX "IDX_session_expire" ON public.sessions (expire);
  INSERT INTO public.sessions VALUES ('s1', '{"cookie":{}}', '2030-01-01'), ('s2', '{"user":7}', '2031-01-01');
  CREATE TABLE public.items (id serial PRIMARY KEY, sku text UNIQUE NOT NULL, price numeric(10,2));
  INSERT INTO public.items (sku, price) VALUES ('A-1', 9.99), ('B-2', 19.50);
  CREATE TABLE public.usage (account integer NOT NULL, month date NOT NULL, calls bigint DEFAULT 0, PRIMARY KEY (account, month));
  INSERT INTO public.usage VALUES (1, '2024-01-01', 100);
  CREATE TABLE public.memories (uuid text PRIMARY KEY, blob bytea);
  INSERT INTO public.memories VALUES ('m', '\\xdeadbeef');
  CREATE TABLE public.schema_migrations (version bigint NOT NULL PRIMARY KEY, dirty boolean NOT NULL);
  INSERT INTO public.schema_migrations VALUES (20240101120000, false);
`;

/** What someone sees of public: every relation and function, each table's columns, indexes, constraints and rows. */
async function describePublic(client: Client): Promise<unknown> {
  // Definitions print names relative to the search_path (PGlite's is shared by every connection).
  await client.query('SET search_path TO public');
  const relations = await client.query("SELECT c.relname, c.relkind FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public' ORDER BY 1");
  const functions = await client.query("SELECT p.oid::regprocedure::text AS f FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = 'public' ORDER BY 1");
  const tables: Record<string, unknown> = {};
  for (const table of FOREIGN_TABLES) {
    if ((await client.query('SELECT to_regclass($1) AS t', [`public.${table}`])).rows[0].t === null) continue;
    tables[table] = {
      columns: (
        await client.query(
          `SELECT column_name, data_type, is_nullable, column_default FROM information_schema.columns
            WHERE table_schema = 'public' AND table_name = $1 ORDER BY ordinal_position`,
          [table],
        )
      ).rows,
      indexes: (await client.query("SELECT indexdef FROM pg_indexes WHERE schemaname = 'public' AND tablename = $1 ORDER BY 1", [table])).rows,
      constraints: (await client.query(`SELECT conname, pg_get_constraintdef(oid) AS def FROM pg_constraint WHERE conrelid = $1::regclass ORDER BY 1`, [`public.${table}`])).rows,
      rows: (await client.query(`SELECT t::text AS row FROM public.${table} t ORDER BY 1`)).rows,
    };
  }
  return { relations: relations.rows, functions: functions.rows, tables };
}

/** Table names of a schema. */
async function tablesIn(client: Client, schema: string): Promise<string[]> {
  const { rows } = await client.query('SELECT tablename FROM pg_tables WHERE schemaname = $1 ORDER BY 1', [schema]);
  return rows.map((row) => z.object({ tablename: z.string() }).parse(row).tablename);
}

describe('the schema name', () => {
  test('is agent_sessions by default, AGENT_SESSIONS_DB_SCHEMA when set, a databaseSchema option above both', () => {
    expect(databaseSchema(undefined, {})).toBe('agent_sessions');
    expect(databaseSchema(undefined, { AGENT_SESSIONS_DB_SCHEMA: ' support_bot ' })).toBe('support_bot');
    expect(databaseSchema('Tenant_2', { AGENT_SESSIONS_DB_SCHEMA: 'support_bot' })).toBe('Tenant_2');
  });

  test.each(['agent-sessions', '1st', 'a;drop table x', 'pg_mine', '"quoted"', '', 'x'.repeat(41)])('refuses %j with a clear error', (name) => {
    expect(() => databaseSchema(name, {})).toThrow(InvalidInputError);
    expect(() => databaseSchema(name, {})).toThrow(/databaseSchema .* is not a schema name this project accepts: use 1 to 40 letters, digits and underscores/);
    if (name.trim() !== '') expect(() => databaseSchema(undefined, { AGENT_SESSIONS_DB_SCHEMA: name })).toThrow(/AGENT_SESSIONS_DB_SCHEMA/);
    expect(() => connectPool('postgres://nowhere/db', { schema: name })).toThrow(InvalidInputError);
  });
});

describe("another application's tables in public", () => {
  test('are never touched: the worker migrates and a whole conversation runs, and their rows and definitions are identical', async () => {
    const database = await createDatabase();
    await withClient(database.url, (client) => client.query(FOREIGN_SQL));
    const before = await withClient(database.url, describePublic);

    installRuntimeLogger({ defaultLevel: 'warn' });
    const [temporal, model, bundle] = await Promise.all([startTemporalDevServer({ cliPath: process.env.TEMPORAL_CLI_PATH }), startOfflineModel(), workflowBundle()]);
    const taskQueue = `own-schema-${process.pid}`;
    const worker = await startWorker({
      temporalAddress: temporal.address,
      namespace: 'default',
      taskQueue,
      databaseUrl: database.url,
      model: { baseURL: model.baseURL, apiKey: 'offline', defaultModel: OFFLINE_MODEL_ID },
      workflowBundle: bundle,
      agents: [supportAgent],
    }).catch(async (error: unknown) => {
      await Promise.all([model.close(), temporal.stop()]);
      throw error;
    });
    const client = await SessionsClient.connect({ temporalAddress: temporal.address, databaseUrl: database.url, taskQueue });
    try {
      const first = await client.send('own-schema-1', 'Hi, my name is Alice.', { userId: 'user-1', labels: { app: 'x' } });
      expect(first.reply).toContain('Alice');
      const events = [];
      for await (const event of client.stream('own-schema-1', "What's my name?")) events.push(event);
      expect(events.at(-1)).toMatchObject({ type: 'done' });
      await client.addMemory('user-1', { text: 'likes tea' });
      await client.updateContext('own-schema-1', { plan: 'pro' });
      expect((await client.items('own-schema-1')).map((item) => item.seq)).toEqual([1, 2, 3, 4]);
      expect((await client.usage('own-schema-1')).entries).toHaveLength(2);
      expect(await client.listMemories('user-1')).toHaveLength(1);
      await client.deleteSession('own-schema-1');
      await client.send('own-schema-2', 'Hello');
    } finally {
      await client.close();
      await worker.stop();
      await Promise.all([model.close(), temporal.stop()]);
    }

    await withClient(database.url, async (admin) => {
      expect(await describePublic(admin)).toEqual(before);
      expect(await tablesIn(admin, 'public')).toEqual([...FOREIGN_TABLES].sort());
      expect(await tablesIn(admin, 'agent_sessions')).toEqual(expect.arrayContaining(['items', 'memories', 'schema_migrations', 'sessions', 'usage']));
      const { rows } = await admin.query('SELECT id FROM agent_sessions.sessions ORDER BY id');
      expect(rows).toEqual([{ id: 'own-schema-2' }]);
      expect((await admin.query('SELECT id FROM agent_sessions.session_tombstones')).rows).toEqual([{ id: 'own-schema-1' }]);
      expect((await admin.query('SELECT text FROM agent_sessions.memories')).rows).toEqual([{ text: 'likes tea' }]);
    });
  });

  test('a public.schema_migrations with id and name columns but other names is left alone', async () => {
    const database = await createDatabase();
    await withClient(database.url, (client) =>
      client.query(`CREATE TABLE public.schema_migrations (id integer PRIMARY KEY, name text NOT NULL);
                    INSERT INTO public.schema_migrations VALUES (1, 'create_users'), (2, 'add_email');
                    CREATE TABLE public.sessions (id text PRIMARY KEY);`),
    );
    const before = await withClient(database.url, describePublic);
    await migrate(openPool(database.url));
    await withClient(database.url, async (admin) => {
      expect(await describePublic(admin)).toEqual(before);
      const { rows } = await admin.query('SELECT count(*)::int AS n FROM agent_sessions.schema_migrations');
      expect(rows[0].n).toBe((await listMigrations()).length);
    });
  });
});

describe('a 0.1 deployment (tables and migrations in public)', () => {
  /** Applies migrations up to `upTo` into public the way the 0.1 runner did, with rows in every table. */
  async function oldDeployment(url: string, upTo: number): Promise<void> {
    await withClient(url, async (client) => {
      await client.query('SET search_path TO public');
      await client.query('CREATE TABLE schema_migrations (id integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())');
      for (const migration of (await listMigrations()).filter((candidate) => candidate.id <= upTo)) {
        await client.query(await readFile(migration.file, 'utf8'));
        await client.query('INSERT INTO schema_migrations (id, name) VALUES ($1, $2)', [migration.id, migration.name]);
      }
      await client.query(`
        INSERT INTO sessions (id, current_agent, item_count, last_seq) VALUES ('old-1', 'support', 2, 2), ('old-2', 'support', 0, 0);
        INSERT INTO items (session_id, seq, type, role, agent, item, created_at) VALUES
          ('old-1', 1, 'message', 'user', 'support', '{"type":"message","role":"user","content":"hi"}', now()),
          ('old-1', 2, 'message', 'assistant', 'support', '{"type":"message","role":"assistant","content":"hello"}', now());
      `);
      if (upTo < 10) return;
      await client.query(`
        UPDATE sessions SET user_id = 'u1', labels = '{"a":"b"}' WHERE id = 'old-1';
        INSERT INTO usage (session_id, seq, kind, turn, agent, requests, input_tokens, output_tokens, total_tokens, created_at)
          VALUES ('old-1', 2, 'turn', 1, 'support', 1, 10, 5, 15, now());
        INSERT INTO memories (user_id, key, text) VALUES ('u1', 'name', 'Ann'), ('u1', NULL, 'likes tea');
        INSERT INTO session_imports (id, session_id, document) VALUES ('imp', 'old-3', '{}');
        INSERT INTO content_parts (session_id, sha256, content, chars) VALUES ('old-1', repeat('a', 64), 'data', 4);
        INSERT INTO deployment_settings (encrypted) VALUES (false);
        INSERT INTO session_tombstones (id) VALUES ('gone');
      `);
      await client.query(`SELECT append_stream_events('old-1', 'm1', 1, 1, '[{"type":"text","step":1,"agent":"support","delta":"hi"}]'::jsonb)`);
    });
  }

  /** Every row of every table of a schema, as text, by table. */
  async function rowsOf(client: Client, schema: string): Promise<Record<string, string[]>> {
    const rows: Record<string, string[]> = {};
    for (const table of await tablesIn(client, schema)) {
      const result = await client.query(`SELECT t::text AS row FROM "${schema}"."${table}" t ORDER BY 1`);
      rows[table] = result.rows.map((row) => String(row.row).replace(/"\d{4}-\d\d-\d\d [^"]*"/g, 'T'));
    }
    return rows;
  }

  test('is moved into agent_sessions at the first start, every row with it, and the remaining migrations applied there', async () => {
    const database = await createDatabase();
    await oldDeployment(database.url, 10);
    const before = await withClient(database.url, (client) => rowsOf(client, 'public'));
    expect(before.items).toHaveLength(2);

    const applied = await migrate(openPool(database.url));
    const all = await listMigrations();
    expect(applied).toEqual(all.filter((migration) => migration.id > 10).map((migration) => path.basename(migration.file)));

    await withClient(database.url, async (admin) => {
      const after = await rowsOf(admin, 'agent_sessions');
      expect(after.schema_migrations).toHaveLength(all.length);
      expect({ ...after, schema_migrations: [] }).toEqual({ ...before, schema_migrations: [] });
      // Nothing of ours is left in public: no table, sequence, index or function.
      const left = await admin.query(
        `SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public'
         UNION ALL SELECT p.proname FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = 'public'`,
      );
      expect(left.rows).toEqual([]);
    });
    // The moved tables work: the sequence goes on, the cascade holds, the stream function writes.
    const pool = openPool(database.url);
    const memory = await pool.query("INSERT INTO memories (user_id, text) VALUES ('u1', 'new') RETURNING id");
    expect(Number(memory.rows[0].id)).toBe(3);
    const last = await pool.query(`SELECT append_stream_events('old-1', 'm1', 1, 1, '[{"type":"text","step":1,"agent":"support","delta":"!"}]'::jsonb) AS last`);
    expect(last.rows[0].last).toBe('2');
    await pool.query("DELETE FROM sessions WHERE id = 'old-1'");
    expect((await pool.query('SELECT count(*)::int AS n FROM items')).rows[0].n).toBe(0);
    expect(await migrate(pool)).toEqual([]);
  });

  test('an older one (fewer migrations applied) moves too and gets the rest', async () => {
    const database = await createDatabase();
    await oldDeployment(database.url, 8);
    expect((await migrate(openPool(database.url))).map((file) => file.slice(0, 3))).toEqual(['009', '010', '011']);
    await withClient(database.url, async (admin) => {
      expect(await tablesIn(admin, 'public')).toEqual([]);
      expect((await admin.query('SELECT count(*)::int AS n FROM agent_sessions.items')).rows[0].n).toBe(2);
    });
  });

  test('every table and function the migrations create is one the move knows of', async () => {
    const created = { tables: [] as string[], functions: [] as string[] };
    for (const migration of await listMigrations()) {
      const sql = await readFile(migration.file, 'utf8');
      const objects = createdObjects(sql);
      created.tables.push(...objects.tables);
      created.functions.push(...objects.functions);
      // Nothing else a schema holds is created (a view, a sequence, a type would need moving too).
      expect(sql.replace(/--[^\n]*/g, '')).not.toMatch(/\bCREATE\s+(?:OR\s+REPLACE\s+)?(?:VIEW|MATERIALIZED|SEQUENCE|TYPE|DOMAIN|TRIGGER)\b/i);
    }
    expect(created.tables).toEqual(expect.arrayContaining(['sessions', 'items', 'memories', 'usage', 'stream_heads', 'stream_events', 'content_parts']));
    expect(created.functions).toContain('append_stream_events');
  });
});

describe('two deployments in one database', () => {
  test('each sees its own tables and hears only its own stream channel', async () => {
    const database = await createDatabase();
    const first = openPool(database.url);
    const second = openPool(database.url, 'second_bot');
    await migrate(first);
    await migrate(second);
    if (database.embedded) return; // PGlite shares one session between connections: one search_path for all.
    await first.query("INSERT INTO sessions (id, current_agent) VALUES ('only-first', 'a')");
    expect((await second.query('SELECT count(*)::int AS n FROM sessions')).rows[0].n).toBe(0);

    const heard: string[] = [];
    const listener = new Client({ connectionString: database.url });
    await listener.connect();
    try {
      listener.on('notification', (message) => heard.push(`${message.channel} ${message.payload}`));
      await listener.query('LISTEN "agent_sessions_stream:agent_sessions"');
      const append = 'SELECT append_stream_events($1, \'m\', 1, 1, \'[]\'::jsonb || \'[{"type":"text","step":1,"agent":"a","delta":"x"}]\'::jsonb)';
      await second.query(append, ['in-second']);
      await first.query(append, ['in-first']);
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(heard).toEqual(['agent_sessions_stream:agent_sessions in-first']);
    } finally {
      await listener.end();
    }
  });
});
