/**
 * 50 clients send 20 messages each to one session at once: every message is answered, and the
 * session holds 1,000 user items in one total order (each client's in the order it sent them), none
 * lost, none twice.
 */
import { SessionsClient } from '../../src/client/sessions-client';
import type { TestStack } from '../../test/support/stack';
import { Ledger, userTexts } from '../ledger';

const CLIENTS = Number(process.env.CHAOS_CLIENTS ?? 50);
const MESSAGES = Number(process.env.CHAOS_MESSAGES ?? 20);

/** Runs the scenario; the ledger to verify, and whether each client's messages kept their order. */
export async function oneSessionManyClients(stack: TestStack): Promise<{ ledger: Ledger; notes: string[] }> {
  const ledger = new Ledger(`${CLIENTS} clients x ${MESSAGES} messages, one session`);
  const sessionId = `chaos-one:${Date.now().toString(36)}`;
  const clients = await Promise.all(
    Array.from({ length: CLIENTS }, () => SessionsClient.connect({ temporalAddress: stack.temporal.address, databaseUrl: stack.db.url, taskQueue: stack.taskQueue })),
  );
  try {
    await Promise.all(
      clients.map(async (client, c) => {
        for (let m = 0; m < MESSAGES; m++) await ledger.send(client, sessionId, `client ${c} message ${m}`, `c${c}-m${m}`);
      }),
    );
  } finally {
    await Promise.all(clients.map((client) => client.close()));
  }
  const items = await stack.client.items(sessionId);
  const order = userTexts(items);
  const outOfOrder = Array.from({ length: CLIENTS }, (_, c) => order.filter((text) => text.startsWith(`client ${c} message `))).filter((texts, c) =>
    texts.some((text, index) => text !== `client ${c} message ${index}`),
  ).length;
  return { ledger, notes: [`${order.length} user items in one order; clients whose messages left their order: ${outOfOrder}`] };
}
