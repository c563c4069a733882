/**
 * The quick-start demo: a short support conversation that shows memory across turns, a tool that
 * changes the context, and memory across a worker restart (the conversation lives in Temporal).
 */
import type { SessionsClient } from '../client/sessions-client';
import { formatItem } from './format';

/** What the demo needs from the running stack. */
export interface DemoOptions {
  client: SessionsClient;
  say: (line: string) => void;
  /** Stops the worker and starts a new one. */
  restartWorker: () => Promise<void>;
  uiUrl?: string;
  namespace: string;
}

/** The demo's session id, namespaced as `{user}:{kind}`. */
export const DEMO_SESSION_ID = 'alice:support';

/** Runs the demo conversation and prints what happens. */
export async function runDemo({ client, say, restartWorker, uiUrl, namespace }: DemoOptions): Promise<void> {
  const turn = async (text: string) => {
    say(`\nuser> ${text}`);
    const result = await client.send(DEMO_SESSION_ID, text, { context: { customerId: 'c-42', tier: 'plus' } });
    say(`${result.agent}> ${result.reply}`);
  };
  say(`\n== Demo: session "${DEMO_SESSION_ID}" ==`);
  await turn('Hi, my name is Alice.');
  await turn('Where is my order 1234?');
  say(`\ncontext (workflow state, never sent to the model): ${JSON.stringify(await client.context(DEMO_SESSION_ID))}`);
  say('\n-- stopping the worker and starting a new one: the conversation lives in Temporal, not in the worker --');
  await restartWorker();
  await turn("What's my name?");
  say('\nhistory, read from the Postgres projection:');
  for (const entry of await client.items(DEMO_SESSION_ID, { limit: 50 })) say(`  ${formatItem(entry)}`);
  if (uiUrl) {
    say(`\nWatch the event history: ${uiUrl}/namespaces/${namespace}/workflows/${encodeURIComponent(DEMO_SESSION_ID)}`);
  }
}
