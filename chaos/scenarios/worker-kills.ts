/**
 * The worker is killed with SIGKILL again and again while many sessions talk, and a new one started
 * each time: every message is answered once, nothing is lost or duplicated.
 */
import type { TestStack } from '../../test/support/stack';
import { Ledger } from '../ledger';
import { killWorker, spawnWorker } from '../../test/support/worker-process';

const SESSIONS = Number(process.env.CHAOS_SESSIONS ?? 20);
const TURNS = Number(process.env.CHAOS_TURNS ?? 10);
const KILLS = Number(process.env.CHAOS_KILLS ?? 5);
/** Time between kills. */
const EVERY_MS = 2_000;

export async function workerKills(stack: TestStack): Promise<{ ledger: Ledger; notes: string[] }> {
  const ledger = new Ledger(`worker SIGKILLed ${KILLS} times under load`);
  await stack.stopWorkers();
  let worker = await spawnWorker(stack);
  let kills = 0;
  const run = Date.now().toString(36);
  const load = Promise.all(
    Array.from({ length: SESSIONS }, async (_, s) => {
      for (let t = 0; t < TURNS; t++)
        await ledger.send(stack.client, `chaos-kill-${run}:${s}`, `session ${s} turn ${t}${t % 4 === 1 ? ' where is order 1234?' : ''}`, `k-${run}-${s}-${t}`);
    }),
  );
  try {
    let settled = false;
    void load.finally(() => (settled = true));
    while (!settled && kills < KILLS) {
      await new Promise((resolve) => setTimeout(resolve, EVERY_MS));
      await killWorker(worker);
      kills += 1;
      worker = await spawnWorker(stack);
    }
    await load;
  } finally {
    await killWorker(worker);
    await stack.startWorker();
  }
  return { ledger, notes: [`workers killed: ${kills}`] };
}
