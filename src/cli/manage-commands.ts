/** Managing sessions: `list` (from the projection), `usage`, `labels`, `export`, `import` and `fork`. */
import { InvalidInputError } from '../client/errors';
import { print, TEMPORAL, withClient, type CommandInput } from './connect';
import { checkOptions, ForkOptions, LabelsOptions, ListOptions, readJsonFile, SessionOptions } from './options';
import { SessionExport } from '../shared/export';

const DATABASE = { database: true, temporal: false };
const BOTH = { database: true, temporal: true };

/** Lists sessions, most recently changed first; prints the cursor of the next page when there is one. */
export async function list({ values }: CommandInput): Promise<void> {
  const options = checkOptions(ListOptions, values);
  const page = await withClient(DATABASE, (client) =>
    client.list({
      ...(options.prefix !== undefined ? { prefix: options.prefix } : {}),
      ...(options.user !== undefined ? { userId: options.user } : {}),
      ...(options.label !== undefined ? { labels: options.label } : {}),
      ...(options.since !== undefined ? { updatedSince: options.since } : {}),
      ...(options.limit !== undefined ? { limit: options.limit } : {}),
      ...(options.cursor !== undefined ? { cursor: options.cursor } : {}),
    }),
  );
  if (options.json) {
    print(page);
    return;
  }
  if (page.sessions.length === 0) console.log('(no sessions match)');
  for (const session of page.sessions) {
    const labels = Object.entries(session.labels)
      .map(([key, value]) => `${key}=${value}`)
      .join(',');
    console.log([session.sessionId, session.userId ?? '-', session.status, `${session.itemCount} items`, session.updatedAt, labels].filter(Boolean).join('  '));
  }
  if (page.next) console.log(`more: --cursor ${page.next}`);
}

/** Prints the tokens a session spent per turn, and the total. */
export async function usage({ values }: CommandInput): Promise<void> {
  const options = checkOptions(SessionOptions, values);
  const report = await withClient(DATABASE, (client) => client.usage(options.session));
  if (options.json) {
    print(report);
    return;
  }
  for (const entry of report.entries) {
    const what = entry.kind === 'turn' ? `turn ${entry.turn}` : 'compaction';
    console.log(`${what.padEnd(12)} ${entry.agent.padEnd(16)} in ${entry.usage.inputTokens}  out ${entry.usage.outputTokens}  total ${entry.usage.totalTokens}`);
  }
  const { total } = report;
  console.log(`${'total'.padEnd(12)} ${`${total.requests} requests`.padEnd(16)} in ${total.inputTokens}  out ${total.outputTokens}  total ${total.totalTokens}`);
}

/** Sets (--label k=v) and removes (--remove k) labels; prints them all. */
export async function labels({ values }: CommandInput): Promise<void> {
  const options = checkOptions(LabelsOptions, values);
  const patch: Record<string, string | null> = { ...options.label };
  for (const key of options.remove ?? []) patch[key] = null;
  if (Object.keys(patch).length === 0) throw new InvalidInputError('labels needs --label key=value or --remove key (each repeatable)');
  print(await withClient(TEMPORAL, (client) => client.updateLabels(options.session, patch, { id: options.id })));
}

/** Prints the session as a JSON document (`export --session ID > session.json`). */
export async function exportSession({ values }: CommandInput): Promise<void> {
  const options = checkOptions(SessionOptions, values);
  const document = await withClient(BOTH, (client) => client.exportSession(options.session));
  process.stdout.write(`${JSON.stringify(document)}\n`);
}

/** Creates a new session from a document `export` wrote (a file, or - for standard input). */
export async function importSession({ values, positionals }: CommandInput): Promise<void> {
  const options = checkOptions(SessionOptions, values);
  const raw = await readJsonFile(positionals[0]);
  const document = SessionExport.safeParse(raw);
  if (!document.success) throw new InvalidInputError(`${positionals[0]} is not a session document: ${document.error.issues[0]?.message}`);
  const result = await withClient(BOTH, (client) => client.importSession(options.session, document.data));
  console.log(`imported ${result.itemCount} items into session ${options.session}`);
}

/** Creates a new session with another's items up to a turn, and its context. */
export async function fork({ values }: CommandInput): Promise<void> {
  const options = checkOptions(ForkOptions, values);
  const result = await withClient(BOTH, (client) => client.forkSession(options.session, options.to, { turn: options.turn }));
  if (options.json) print(result);
  else console.log(`forked ${options.session} into ${options.to} with ${result.itemCount} items`);
}

/** Rewrites the projection's rows under the current key (after a rotation); prints the rows rewritten per table. */
export async function reseal(): Promise<void> {
  const counts = await withClient(DATABASE, (client) => client.reseal({ onTable: (table, rows) => console.log(`${table}: ${rows} rows re-sealed`) }));
  const total = Object.values(counts).reduce((sum, rows) => sum + rows, 0);
  console.log(`${total} rows re-sealed under the current key`);
}
