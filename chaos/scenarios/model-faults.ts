/**
 * The model fails a set share of calls: 429s, 500s, answers that never finish (past the deadline),
 * streams cut mid-way with and without an error, malformed chunks, tool calls with invalid arguments,
 * and text Postgres cannot store. Every turn ends in an answer or a typed error the caller sees, and
 * every session keeps working.
 */
import type { ScriptStep } from '../../src/offline-model/script';
import type { TestStack } from '../../test/support/stack';
import { Ledger } from '../ledger';

const SESSIONS = Number(process.env.CHAOS_SESSIONS ?? 20);
const TURNS = Number(process.env.CHAOS_TURNS ?? 10);
/** The share of model calls that fail. */
const FAULT_SHARE = 0.3;

/** The faults, one after another; good answers come from the offline model's rules between them. */
const FAULTS: ScriptStep[] = [
  { error: { status: 429, retryAfterSeconds: 1 } },
  { error: { status: 500 } },
  { hang: true },
  { text: 'a stream that breaks off', dropAfterChunks: 2 },
  { text: 'a stream that ends early', endAfterChunks: 2 },
  { malformed: true },
  { toolCalls: [{ name: 'lookup_order', arguments: { order_id: 1234, extra: [1, 2] } }] },
  { text: 'text with NUL \u0000 and a lone surrogate \ud800 in it' },
];

/** Runs the scenario on a worker whose model deadline is short, so that hanging answers are abandoned. */
export async function modelFaults(stack: TestStack): Promise<{ ledger: Ledger; notes: string[] }> {
  const ledger = new Ledger(`model fails ${Math.round(FAULT_SHARE * 100)}% of calls (${FAULTS.length} kinds)`);
  await stack.stopWorkers();
  const worker = await stack.startWorker({ modelTimeoutMs: 2_000 });
  try {
    const calls = SESSIONS * TURNS * 2;
    const steps: ScriptStep[] = [];
    for (let call = 0; call < calls; call++) {
      if (Math.random() < FAULT_SHARE) steps.push(FAULTS[call % FAULTS.length]);
      else steps.push({ text: `a good answer ${call}` });
    }
    stack.model.enqueue(...steps);
    const run = Date.now().toString(36);
    await Promise.all(
      Array.from({ length: SESSIONS }, async (_, s) => {
        for (let t = 0; t < TURNS; t++)
          await ledger.send(stack.client, `chaos-model-${run}:${s}`, `session ${s} turn ${t}${t % 3 === 0 ? ' where is order 1234?' : ''}`, `m-${run}-${s}-${t}`);
      }),
    );
  } finally {
    stack.model.reset();
    await worker.stop();
    await stack.startWorker();
  }
  return { ledger, notes: [] };
}
