/** `send`, `history`, `context` and `status`: the commands that talk to a running session. */
import { loadConfig } from '../../../config';
import { SessionsClient } from '../../sessions-client';
import { clientEndpoints } from '../endpoints';
import { formatItem } from '../format';
import { checkOptions, HistoryOptions, SendOptions } from '../options';

/** Raw values and positionals from the command line. */
export interface CommandInput {
  values: Record<string, unknown>;
  positionals: string[];
}

async function connect(needsDatabase: boolean): Promise<SessionsClient> {
  const config = loadConfig();
  const endpoints = await clientEndpoints(config);
  if (needsDatabase && !endpoints.databaseUrl) {
    throw new Error('no Postgres: set DATABASE_URL, or run `npx agent-sessions dev` in another terminal');
  }
  return SessionsClient.connect({ ...endpoints, namespace: config.namespace, taskQueue: config.taskQueue });
}

async function withClient<T>(needsDatabase: boolean, run: (client: SessionsClient) => Promise<T>): Promise<T> {
  const client = await connect(needsDatabase);
  try {
    return await run(client);
  } finally {
    await client.close();
  }
}

/** Sends a message, waits for the reply and prints it (`--json`: the whole result). */
export async function send({ values, positionals }: CommandInput): Promise<void> {
  const options = checkOptions(SendOptions, { ...values, text: positionals.join(' ') });
  const result = await withClient(false, (client) => client.send(options.session, options.text, { context: options.context }));
  console.log(options.json ? JSON.stringify(result, null, 2) : result.reply);
}

/** Prints a session's items from the Postgres projection. */
export async function history({ values }: CommandInput): Promise<void> {
  const options = checkOptions(HistoryOptions, values);
  const items = await withClient(true, (client) => client.items(options.session, { limit: options.limit }));
  if (options.json) console.log(JSON.stringify(items, null, 2));
  else if (items.length === 0) console.log(`(no items for session ${options.session})`);
  else for (const entry of items) console.log(formatItem(entry));
}

/** Prints a session's context. */
export async function context({ values }: CommandInput): Promise<void> {
  const options = checkOptions(HistoryOptions, values);
  const value = await withClient(false, (client) => client.context(options.session));
  console.log(JSON.stringify(value, null, 2));
}

/** Prints a session's status. */
export async function status({ values }: CommandInput): Promise<void> {
  const options = checkOptions(HistoryOptions, values);
  const value = await withClient(false, (client) => client.status(options.session));
  console.log(JSON.stringify(value, null, 2));
}
