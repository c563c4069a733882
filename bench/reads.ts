/**
 * History reads: the latest 50 items of sessions with many items through the library (`items`), against
 * a bare indexed SELECT of the same rows on the same Postgres.
 */
import type { TestStack } from '../test/support/stack';
import { summarise, type BenchRow } from './stats';

const READS = 300;
const WARM_UP = 20;
const LIMIT = 50;

async function timed(run: () => Promise<unknown>): Promise<number> {
  const start = process.hrtime.bigint();
  await run();
  return Number(process.hrtime.bigint() - start) / 1e6;
}

/** Writes a session of `size` message items straight into the projection. */
async function fillSession(stack: TestStack, sessionId: string, size: number): Promise<void> {
  await stack.db.pool.query(`INSERT INTO sessions (id, item_count, last_seq, current_agent) VALUES ($1, $2, $2, 'support')`, [sessionId, size]);
  await stack.db.pool.query(
    `INSERT INTO items (session_id, seq, type, role, agent, item, created_at)
     SELECT $1, g, 'message', r.role, 'support', jsonb_build_object('type', 'message', 'role', r.role, 'content', 'message number ' || g), now()
       FROM generate_series(1, $2::integer) g, LATERAL (SELECT CASE WHEN g % 2 = 1 THEN 'user' ELSE 'assistant' END AS role) r`,
    [sessionId, size],
  );
  await stack.db.pool.query('ANALYZE items');
}

/** p50/p99 of both reads at each session size, and the library's p50 over the bare SELECT's. */
export async function measureReads(stack: TestStack, sizes: number[]): Promise<{ rows: BenchRow[]; ratios: Record<number, number> }> {
  const rows: BenchRow[] = [];
  const ratios: Record<number, number> = {};
  for (const size of sizes) {
    const sessionId = `bench-read-${size}-${Date.now().toString(36)}`;
    await fillSession(stack, sessionId, size);
    const library = () => stack.client.items(sessionId, { limit: LIMIT });
    const bare = () => stack.db.pool.query('SELECT seq, agent, item, created_at FROM items WHERE session_id = $1 ORDER BY seq DESC LIMIT $2', [sessionId, LIMIT]);
    for (let read = 0; read < WARM_UP; read++) await Promise.all([library(), bare()]);
    const libraryMs: number[] = [];
    const bareMs: number[] = [];
    for (let read = 0; read < READS; read++) {
      libraryMs.push(await timed(library));
      bareMs.push(await timed(bare));
    }
    const ours = summarise(`items(limit ${LIMIT}) of ${size} items, library`, libraryMs);
    const floor = summarise(`the same rows, bare indexed SELECT`, bareMs);
    rows.push(ours, floor);
    ratios[size] = Math.round((100 * ours.p50Ms) / floor.p50Ms) / 100;
  }
  return { rows, ratios };
}
