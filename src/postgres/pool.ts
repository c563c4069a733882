/** Opens a connection pool and makes sure the projection's tables exist. */
import { Pool } from 'pg';
import { migrate } from './migrate';

/** A pool to DATABASE_URL with the schema migrated. */
export async function openProjectionPool(databaseUrl: string, max = 5): Promise<Pool> {
  const pool = new Pool({ connectionString: databaseUrl, max });
  pool.on('error', (error) => console.error(`postgres: idle connection failed: ${error.message}`));
  try {
    await migrate(pool);
  } catch (error) {
    await pool.end();
    throw error;
  }
  return pool;
}
