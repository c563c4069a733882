/**
 * A session as a versioned JSON document: what `export` writes and `import` reads (and what `fork`
 * passes from one session to another). Importing an exported session and exporting it again gives the
 * same document, but for its session id and time. Workflow-safe.
 */
import { z } from 'zod';
import { UsageEntry } from './listing';
import { MAX_WINDOW_ITEMS } from './limits';
import { InvalidInputError } from './errors';
import { addUsage, emptyUsage } from './usage';
import { BoundedContext, Labels, OperationId, SessionItem, SessionSettings, unpairedCalls, Usage, UserId } from './schemas';

/** The `format` of a session document. */
export const EXPORT_FORMAT = 'agent-sessions.session';

/** The version of the document's shape; a reader refuses versions it does not know. */
export const EXPORT_VERSION = 1;

/** Seqs strictly increasing, as a session keeps them. */
function increasing(entries: { seq: number }[]): boolean {
  return entries.every((entry, index) => index === 0 || entry.seq > entries[index - 1].seq);
}

/** An exported session. */
export const SessionExport = z
  .object({
    format: z.literal(EXPORT_FORMAT, { error: `not a session document (format must be "${EXPORT_FORMAT}")` }),
    version: z.literal(EXPORT_VERSION, { error: `this version reads session documents of version ${EXPORT_VERSION}` }),
    sessionId: z.string(),
    exportedAt: z.string(),
    userId: UserId.nullable(),
    labels: Labels,
    /** The active agent ('' before the first turn). */
    agent: z.string().max(100),
    context: BoundedContext,
    settings: SessionSettings,
    turns: z.number().int().nonnegative(),
    /** The session's seq counter (it may be past the last item, after a pop or clear). */
    lastSeq: z.number().int().nonnegative(),
    /** The seqs the model sees, in the order it sees them. */
    window: z.array(z.number().int().positive()).max(MAX_WINDOW_ITEMS + 1),
    items: z.array(SessionItem).refine(increasing, { message: 'item seqs must be strictly increasing' }),
    usage: z.array(UsageEntry).refine(increasing, { message: 'usage seqs must be strictly increasing' }),
    /** The session's usage counter (sessions older than per-turn usage have a total without entries). */
    usageTotal: Usage,
  })
  .strict()
  .superRefine((document, ctx) => {
    const last = document.items[document.items.length - 1]?.seq ?? 0;
    if (last > document.lastSeq) ctx.addIssue({ code: 'custom', path: ['lastSeq'], message: `lastSeq ${document.lastSeq} is before the last item's seq ${last}` });
    for (const issue of unpairedCalls(
      document.items.map((entry) => entry.item),
      'in the session',
    )) {
      ctx.addIssue({ code: 'custom', path: ['items', ...issue.path], message: issue.message });
    }
    const seqs = new Set(document.items.map((entry) => entry.seq));
    const missing = document.window.find((seq) => !seqs.has(seq));
    if (missing !== undefined) ctx.addIssue({ code: 'custom', path: ['window'], message: `the window names seq ${missing}, which is not among the items` });
  });
export type SessionExport = z.infer<typeof SessionExport>;

/** Arguments of `importSession`: the staged document, the counters it brings, and an optional id. */
export const ImportArgs = z
  .object({
    importId: z.string().min(1),
    lastSeq: z.number().int().nonnegative(),
    turns: z.number().int().nonnegative(),
    usage: Usage,
    window: z.array(z.number().int().positive()).max(MAX_WINDOW_ITEMS + 1),
    id: OperationId.optional(),
  })
  .strict();
export type ImportArgs = z.infer<typeof ImportArgs>;

/** What an import answers: the new session's item count and seq counter. */
export const ImportResult = z.object({ itemCount: z.number().int().nonnegative(), lastSeq: z.number().int().nonnegative() });
export type ImportResult = z.infer<typeof ImportResult>;

/**
 * The document of a session cut after its turn `turn` (a fork's start): the items and usage up to that
 * turn's last item. The model's window keeps its summary when the summary is older than the cut;
 * otherwise it is every item up to the cut (the new session trims it to its window settings).
 */
export function documentUpToTurn(document: SessionExport, turn: number): SessionExport {
  const ended = document.usage.find((entry) => entry.kind === 'turn' && entry.turn === turn);
  if (!ended) {
    throw new InvalidInputError(`the session "${document.sessionId}" has no turn ${turn} (it has ${document.turns}); fork at one of its turns`);
  }
  const cut = ended.seq;
  const items = document.items.filter((entry) => entry.seq <= cut);
  const usage = document.usage.filter((entry) => entry.seq <= cut);
  const first = document.items.find((entry) => entry.seq === document.window[0]);
  const window =
    first?.summary && first.seq <= cut
      ? document.window.filter((seq) => seq <= cut)
      : items
          .filter((entry) => !entry.summary)
          .map((entry) => entry.seq)
          .slice(-MAX_WINDOW_ITEMS);
  return {
    ...document,
    turns: turn,
    lastSeq: cut,
    window,
    items,
    usage,
    usageTotal: usage.reduce((sum, entry) => addUsage(sum, entry.usage), emptyUsage()),
  };
}
