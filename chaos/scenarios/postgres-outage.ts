/**
 * Postgres becomes unreachable for the worker for 30 s during load (a TCP proxy this suite cuts), then
 * comes back: the projection catches up with no seq gaps, and callers waiting get their answers.
 */
import type { TestStack } from '../../test/support/stack';
import { Ledger } from '../ledger';
import { startTcpProxy } from '../tcp-proxy';
import { killWorker, spawnWorker } from '../../test/support/worker-process';

const SESSIONS = Number(process.env.CHAOS_SESSIONS ?? 10);
const TURNS = Number(process.env.CHAOS_TURNS ?? 6);
const OUTAGE_MS = Number(process.env.CHAOS_OUTAGE_SECONDS ?? 30) * 1_000;

export async function postgresOutage(stack: TestStack): Promise<{ ledger: Ledger; notes: string[] }> {
  const ledger = new Ledger(`Postgres unreachable for ${OUTAGE_MS / 1000} s under load`);
  const url = new URL(stack.db.url);
  const proxy = await startTcpProxy(url.hostname, Number(url.port || 5432));
  url.host = `127.0.0.1:${proxy.port}`;
  await stack.stopWorkers();
  const worker = await spawnWorker(stack, url.toString());
  const run = Date.now().toString(36);
  try {
    const load = Promise.all(
      Array.from({ length: SESSIONS }, async (_, s) => {
        for (let t = 0; t < TURNS; t++) await ledger.send(stack.client, `chaos-pg-${run}:${s}`, `session ${s} turn ${t}`, `p-${run}-${s}-${t}`);
      }),
    );
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    proxy.cut();
    await new Promise((resolve) => setTimeout(resolve, OUTAGE_MS));
    proxy.restore();
    await load;
  } finally {
    await killWorker(worker);
    await proxy.close();
    await stack.startWorker();
  }
  return { ledger, notes: [] };
}
