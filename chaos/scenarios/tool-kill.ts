/**
 * Workers are SIGKILLed while long tools run (a charge that takes 5 s to confirm), under load: every
 * message is answered once, and every call's charge is applied exactly once (the tool keys it by the
 * call's idempotency key, and a killed call runs again on the surviving worker with the same key). The
 * time from each kill to the rerun of the call it interrupted goes in the notes.
 */
import type { ChildProcess } from 'node:child_process';
import path from 'node:path';
import { Pool } from 'pg';
import { cashier, closeEffects, prepareEffects } from '../../test/fixtures/keyed-charge-agents';
import { startTestStack, type TestStack } from '../../test/support/stack';
import { killWorker, spawnAgentsWorker } from '../../test/support/worker-process';
import { Ledger } from '../ledger';

const SESSIONS = Number(process.env.CHAOS_SESSIONS ?? 6);
const TURNS = Number(process.env.CHAOS_TURNS ?? 3);
const KILLS = Number(process.env.CHAOS_KILLS ?? 4);
/** How long each charge takes to confirm: the window a kill lands in. */
const CONFIRM_MS = 5_000;
const AGENTS_MODULE = path.join(__dirname, '..', '..', 'test', 'fixtures', 'keyed-charge-agents.ts');

interface Run {
  key: string;
  call_tag: string;
  pid: number;
  at: Date;
}

export async function toolKill(): Promise<{ ledger: Ledger; notes: string[]; stack: TestStack }> {
  const stack = await startTestStack({ agents: [cashier] });
  const ledger = new Ledger(`workers SIGKILLed ${KILLS} times during ${CONFIRM_MS / 1000} s tools`);
  await prepareEffects(stack.db.url);
  process.env.TOOL_EFFECTS_URL = stack.db.url; // where an in-process run of the tool would write
  const effects = new Pool({ connectionString: stack.db.url, max: 2 });
  await stack.stopWorkers();
  const env = { CHARGE_CONFIRM_MS: String(CONFIRM_MS) };
  const workers: ChildProcess[] = await Promise.all([spawnAgentsWorker(stack, AGENTS_MODULE, env), spawnAgentsWorker(stack, AGENTS_MODULE, env)]);
  const killedAt = new Map<number, number>();
  const run = Date.now().toString(36);
  const load = Promise.all(
    Array.from({ length: SESSIONS }, async (_, s) => {
      for (let t = 0; t < TURNS; t++) {
        // The offline model calls `charge` for a message that says "charge": amount 7, tag the whole text.
        await ledger.send(stack.client, `chaos-tools-${run}:${s}`, `charge 7 EUR: session ${s} turn ${t} (${run})`, `t-${run}-${s}-${t}`, 60_000);
      }
    }),
  );
  const notes: string[] = [];
  try {
    let settled = false;
    void load.finally(() => (settled = true));
    while (!settled && killedAt.size < KILLS) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      // A worker in the middle of a charge: one whose latest run began 1-3 s ago.
      const { rows } = await effects.query<{ pid: number }>(
        `SELECT pid FROM tool_runs WHERE at > clock_timestamp() - interval '3 seconds' AND at < clock_timestamp() - interval '1 second' ORDER BY at DESC LIMIT 1`,
      );
      const victim = workers.find((worker) => worker.pid === rows[0]?.pid && !killedAt.has(worker.pid!));
      if (!victim) continue;
      killedAt.set(victim.pid!, Date.now());
      await killWorker(victim);
      workers.splice(workers.indexOf(victim), 1, await spawnAgentsWorker(stack, AGENTS_MODULE, env));
    }
    await load;
    const runs = (await effects.query<Run>('SELECT key, call_tag, pid, at FROM tool_runs ORDER BY id')).rows;
    const charges = (await effects.query<{ call_tag: string; n: string }>('SELECT call_tag, count(*) AS n FROM tool_charges GROUP BY call_tag')).rows;
    const calls = new Set(runs.map((entry) => entry.call_tag));
    const chargedTwice = charges.filter((row) => Number(row.n) > 1).length;
    const neverCharged = [...calls].filter((tag) => !charges.some((row) => row.call_tag === tag)).length;
    // For each killed worker's interrupted call: from the kill to the next run of that call's key.
    const delays: number[] = [];
    for (const [pid, at] of killedAt) {
      for (const key of new Set(runs.filter((entry) => entry.pid === pid).map((entry) => entry.key))) {
        const rerun = runs.find((entry) => entry.key === key && entry.pid !== pid && entry.at.getTime() > at - 1_000);
        if (rerun) delays.push(rerun.at.getTime() - at);
      }
    }
    delays.sort((a, b) => a - b);
    const reruns = runs.length - new Set(runs.map((entry) => entry.key)).size;
    notes.push(
      `workers killed: ${killedAt.size}; tool calls: ${calls.size}, runs: ${runs.length} (${reruns} reruns), charges applied: ${charges.reduce((sum, row) => sum + Number(row.n), 0)}, charged twice: ${chargedTwice}, never charged: ${neverCharged}`,
      delays.length > 0
        ? `kill to rerun of the interrupted call: ${delays.length} calls, min ${(delays[0] / 1000).toFixed(1)} s, max ${(delays[delays.length - 1] / 1000).toFixed(1)} s`
        : 'kill to rerun: no interrupted call was seen',
    );
    if (chargedTwice > 0 || neverCharged > 0) notes.push(`FAILED: every call must be charged exactly once`);
  } finally {
    await Promise.all(workers.map((worker) => killWorker(worker)));
    await effects.end();
    await closeEffects();
    await stack.startWorker();
  }
  return { ledger, notes, stack };
}
