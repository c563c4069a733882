/**
 * Sessions roll over (continue-as-new) under concurrent load while a turn of each waits for a human's
 * approval: on a dev server whose per-run limits are low, each session's paused turn is followed by
 * many queued messages; the call is approved later; every message is answered once, after it,
 * and the approved tool runs once.
 */
import { z } from 'zod';
import { defineAgent, defineTool } from '../../src/agents';
import { startTestStack, type TestStack } from '../../test/support/stack';
import { Ledger } from '../ledger';

const SESSIONS = Number(process.env.CHAOS_SESSIONS ?? 10);
const QUEUED = Number(process.env.CHAOS_QUEUED ?? 8);

const refundOrder = defineTool({
  name: 'refund_order',
  description: 'Refunds an order.',
  parameters: z.object({ order_id: z.string() }),
  needsApproval: true,
  execute: ({ order_id }) => `Refunded order ${order_id}.`,
});
const cashier = defineAgent({ name: 'cashier', instructions: 'You refund orders.', tools: [refundOrder] });

/** Runs the scenario on a stack of its own (low per-run limits, an agent whose tool needs approval). */
export async function approvalsAcrossRollover(): Promise<{ ledger: Ledger; notes: string[]; stack: TestStack }> {
  const stack = await startTestStack({ agents: [cashier], dynamicConfig: { 'limit.historyCount.suggestContinueAsNew': 60, 'history.maxTotalUpdates': 40 } });
  const ledger = new Ledger(`${SESSIONS} sessions roll over with an approval pending under load`);
  const run = Date.now().toString(36);
  const sessions = Array.from({ length: SESSIONS }, (_, s) => `chaos-approve-${run}:${s}`);
  const load = Promise.all(
    sessions.map(async (sessionId, s) => {
      const paused = ledger.send(stack.client, sessionId, `please refund order ${1000 + s}`, `a-${run}-${s}`);
      for (let wait = 0; wait < 200 && (await stack.client.pendingApprovals(sessionId).catch(() => [])).length === 0; wait++) {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      const queued = Array.from({ length: QUEUED }, (_, q) => ledger.send(stack.client, sessionId, `session ${s} queued ${q}`, `q-${run}-${s}-${q}`));
      await new Promise((resolve) => setTimeout(resolve, 3_000));
      const [waiting] = await stack.client.pendingApprovals(sessionId);
      if (waiting) await stack.client.approve(sessionId, waiting.callId);
      await Promise.all([paused, ...queued]);
    }),
  );
  await load;
  let refunds = 0;
  let rolledOver = 0;
  for (const sessionId of sessions) {
    const items = await stack.client.items(sessionId);
    refunds += items.filter((entry) => entry.item.type === 'function_call_output' && String(entry.item.output).startsWith('Refunded order')).length;
    if ((await stack.client.status(sessionId)).run > 1) rolledOver += 1;
  }
  return { ledger, stack, notes: [`refunds run: ${refunds} for ${SESSIONS} approvals; sessions that rolled over: ${rolledOver}`] };
}
