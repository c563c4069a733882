/**
 * Connection pools to the projection. Every table lives in a schema of its own (`agent_sessions` by
 * default, `AGENT_SESSIONS_DB_SCHEMA` or a `databaseSchema` option otherwise), so a DATABASE_URL that
 * points at an application's database never meets its `sessions` or `schema_migrations`: each
 * connection's search_path is that schema alone, and queries stay unqualified.
 */
import { Pool } from 'pg';
import { migrate } from './migrate';
import { databaseSchema, quoteSchema, rememberSchema, schemaOf } from './schema';

export { DEFAULT_DATABASE_SCHEMA, databaseSchema, schemaOf } from './schema';

/** Where and how a pool connects. */
export interface PoolOptions {
  /** Connections at most (5 by default). */
  max?: number;
  /** The schema of the tables (see `databaseSchema`). */
  schema?: string;
}

/**
 * A pool to `databaseUrl` whose connections see the projection's schema only (search_path set on
 * every new connection before it is used: the embedded PGlite ignores a startup `options` parameter).
 * Does not migrate: the worker does (`openProjectionPool`).
 */
export function connectPool(databaseUrl: string, options: PoolOptions = {}): Pool {
  const schema = databaseSchema(options.schema);
  const searchPath = `SET search_path TO ${quoteSchema(schema)}`;
  const pool = new Pool({
    connectionString: databaseUrl,
    max: options.max ?? 5,
    onConnect: async (client) => {
      await client.query(searchPath);
    },
  });
  pool.on('error', (error) => console.error(`postgres: idle connection failed: ${error.message}`));
  rememberSchema(pool, schema);
  return pool;
}

/** A pool to DATABASE_URL with its schema migrated (an older deployment's tables in public moved there). */
export async function openProjectionPool(databaseUrl: string, options: PoolOptions = {}): Promise<Pool> {
  const pool = connectPool(databaseUrl, options);
  try {
    await migrate(pool, { schema: schemaOf(pool) });
  } catch (error) {
    await pool.end();
    throw error;
  }
  return pool;
}
