/**
 * The commands that talk to one session: send, history (Postgres only), context, status, and the
 * session operations add, pop, clear, delete, compact and settings.
 */
import { z } from 'zod';
import { Item } from '../shared/schemas';
import { InvalidInputError } from '../client/errors';
import { print, TEMPORAL, withClient, type CommandInput } from './connect';
import { formatItem } from './format';
import { describePending } from './approval-commands';
import type { StreamEvent } from '../shared/stream';
import { checkOptions, readJsonFile, SendOptions, SessionOptions } from './options';
import { attachmentParts } from './attachments';

/** How often a waiting `send` looks for tool calls that wait for approval. */
const APPROVAL_POLL_MS = 1_000;

/**
 * Sends a message, waits for the reply and prints it (`--json`: the whole result). With `--image` or
 * `--file`, the message is the text and those images and files (a path is read and sent as a data URL,
 * its type from its extension; a URL is sent as it is). While the turn waits for a human's approval,
 * it says so on stderr, with the commands that decide.
 */
export async function send({ values, positionals }: CommandInput): Promise<void> {
  const options = checkOptions(SendOptions, { ...values, text: positionals.join(' ') });
  const attachments = await attachmentParts(options.image, options.file);
  const content = attachments.length > 0 ? { input: [...(options.text ? [{ type: 'input_text', text: options.text }] : []), ...attachments] } : { text: options.text };
  const message = { ...content, ...(options.id ? { id: options.id } : {}), ...(options.agent ? { agent: options.agent } : {}) };
  const start = { context: options.context, settings: options.settings, userId: options.user, labels: options.label };
  if (options.stream) {
    await withClient({ database: true, temporal: true }, async (client) => {
      const show = options.json ? (event: StreamEvent) => console.log(JSON.stringify(event)) : streamPrinter(options.session);
      for await (const event of client.stream(options.session, message, { ...start, after: options.after })) show(event);
    });
    return;
  }
  // Images and files are stored in Postgres (only their references go through Temporal).
  const result = await withClient(attachments.length > 0 ? { database: true, temporal: true } : TEMPORAL, async (client) => {
    const turn = client.send(options.session, message, start);
    const announced = new Set<string>();
    let done = false;
    const watch = (async () => {
      while (!done) {
        await Promise.race([turn.catch(() => undefined), new Promise((resolve) => setTimeout(resolve, APPROVAL_POLL_MS))]);
        if (done) return;
        for (const waiting of await client.pendingApprovals(options.session).catch(() => [])) {
          if (announced.has(waiting.callId)) continue;
          announced.add(waiting.callId);
          console.error(`waiting for approval:\n${describePending(options.session, waiting)}`);
        }
      }
    })();
    try {
      return await turn;
    } finally {
      done = true;
      await watch;
    }
  });
  if (options.json) print(result);
  else console.log(result.reply);
}

/**
 * How `send --stream` shows a turn: the reply's text on stdout as it is generated; the message id,
 * tool calls and outputs, handoffs, approvals and retries on stderr, with each event's offset.
 */
function streamPrinter(sessionId: string): (event: StreamEvent) => void {
  let midLine = false;
  const note = (line: string) => {
    if (midLine) process.stdout.write('\n');
    midLine = false;
    console.error(line);
  };
  return (event) => {
    switch (event.type) {
      case 'started':
        return note(`[message ${event.messageId}: resume with --id ${event.messageId} --after OFFSET]`);
      case 'text':
        process.stdout.write(event.delta);
        midLine = !event.delta.endsWith('\n');
        return;
      case 'tool_call':
        return note(`[${event.offset}] ${event.agent} calls ${event.name}(${event.arguments})`);
      case 'tool_output':
        return note(`[${event.offset}] ${event.callId} ${event.failed ? 'failed' : 'answered'}: ${event.output}`);
      case 'handoff':
        return note(`[${event.offset}] ${event.from} hands off to ${event.to}`);
      case 'approval':
        return note(`[${event.offset}] waiting for approval:\n${describePending(sessionId, event)}`);
      case 'discard':
        return note(`[${event.offset}] the model call was retried: discard its text above; the retry follows`);
      case 'done':
        if (midLine) process.stdout.write('\n');
        midLine = false;
        return;
    }
  };
}

/** Prints a session's items from the Postgres projection (Temporal is not needed). */
export async function history({ values }: CommandInput): Promise<void> {
  const options = checkOptions(SessionOptions, values);
  const items = await withClient({ database: true, temporal: false }, (client) => client.items(options.session, { limit: options.limit }));
  if (options.json) print(items);
  else if (items.length === 0) console.log(`(no items for session ${options.session})`);
  else for (const entry of items) console.log(formatItem(entry));
}

/** Prints a session's context. */
export async function context({ values }: CommandInput): Promise<void> {
  const options = checkOptions(SessionOptions, values);
  print(await withClient(TEMPORAL, (client) => client.context(options.session)));
}

/** Prints a session's status. */
export async function status({ values }: CommandInput): Promise<void> {
  const options = checkOptions(SessionOptions, values);
  print(await withClient(TEMPORAL, (client) => client.status(options.session)));
}

/** Appends items from a JSON file (`-`: standard input) without a turn; prints them with their seqs. */
export async function add({ values, positionals }: CommandInput): Promise<void> {
  const options = checkOptions(SessionOptions, values);
  if (!options.json) throw new InvalidInputError('add takes items as JSON: `add --session ID --json FILE`');
  const raw = await readJsonFile(positionals[0]);
  const items = z.array(Item).safeParse(Array.isArray(raw) ? raw : [raw]);
  if (!items.success) throw new InvalidInputError(`the file must hold an item or an array of items (Responses API shapes): ${items.error.issues[0]?.message}`);
  const added = await withClient(TEMPORAL, (client) => client.addItems(options.session, items.data, { id: options.id }));
  for (const entry of added) console.log(formatItem(entry));
}

/** Removes the latest item and prints it. */
export async function pop({ values }: CommandInput): Promise<void> {
  const options = checkOptions(SessionOptions, values);
  const popped = await withClient(TEMPORAL, (client) => client.popItem(options.session, { id: options.id }));
  if (options.json) print(popped);
  else console.log(popped ? `removed ${formatItem(popped)}` : '(the session has no items)');
}

/** Removes every item of a session. */
export async function clear({ values }: CommandInput): Promise<void> {
  const options = checkOptions(SessionOptions, values);
  await withClient(TEMPORAL, (client) => client.clearSession(options.session, { id: options.id }));
  console.log(`cleared session ${options.session}`);
}

/** Deletes a session: ends it and removes its rows. */
export async function remove({ values }: CommandInput): Promise<void> {
  const options = checkOptions(SessionOptions, values);
  await withClient({ database: true, temporal: true }, (client) => client.deleteSession(options.session, { id: options.id }));
  console.log(`deleted session ${options.session}`);
}

/** Summarises the older turns of the model's window now. */
export async function compact({ values }: CommandInput): Promise<void> {
  const options = checkOptions(SessionOptions, values);
  const result = await withClient(TEMPORAL, (client) => client.compact(options.session, { id: options.id }));
  if (options.json) print(result);
  else console.log(result ? `summarised ${result.summarizedItems} items into #${result.summary.seq}` : 'nothing old enough to summarise');
}

/** Prints the session's settings, after changing those given with --settings JSON. */
export async function settings({ values }: CommandInput): Promise<void> {
  const options = checkOptions(SessionOptions, values);
  const result = await withClient(TEMPORAL, async (client) =>
    options.settings ? client.updateSettings(options.session, options.settings, { id: options.id }) : (await client.status(options.session)).settings,
  );
  print(result);
}
