/**
 * Every shape that crosses a boundary (client ⇄ workflow, workflow ⇄ activity, Postgres ⇄ reader),
 * as one zod schema with its type under the same name. Workflow-safe: zod only, no I/O.
 */
import { z } from 'zod';
import { findMalformedSecret, isSecret, SECRET_KEY } from './secrets';
import {
  DEFAULT_WINDOW_ITEMS,
  MAX_AGENT_NAME_LENGTH,
  MAX_CONTEXT_BYTES,
  MAX_ID_LENGTH,
  MAX_INPUT_ITEMS,
  MAX_MESSAGE_BYTES,
  MAX_SESSION_ID_LENGTH,
  MAX_TEXT_LENGTH,
  MAX_WINDOW_ITEMS,
} from './limits';
import { findUnstorable, unstorableReason } from './text';
import { Item, pairingOf, typeOf } from './items';

/** A string every store can keep: no NUL, no lone surrogates (Postgres refuses both). */
export const StorableText = z.string().superRefine((text, ctx) => {
  const reason = unstorableReason(text);
  if (reason !== undefined) ctx.addIssue({ code: 'custom', message: `text ${reason}` });
});

/**
 * An object without an own key named "__proto__", checked before `record` parses it: zod's records skip
 * that key without a word (it could replace the parsed object's prototype), so the value would be kept
 * without it.
 */
function withoutProtoKey<Value>(what: string) {
  return z.custom<Record<string, Value>>((value) => typeof value !== 'object' || value === null || !Object.hasOwn(value, '__proto__'), {
    message: `${what} must not have a key named "__proto__"`,
  });
}

/** A JSON object whose keys and strings every store can keep: the typed context, tool patches. */
export const JsonObject = withoutProtoKey<unknown>('a JSON object')
  .pipe(z.record(z.string(), z.unknown()))
  .superRefine((value, ctx) => {
    const found = findUnstorable(value);
    if (found) ctx.addIssue({ code: 'custom', message: `${found.path ? `at ${found.path}, ` : ''}a ${found.reason}` });
  });
export type JsonObject = z.infer<typeof JsonObject>;

/**
 * A context, or a change to one, as a caller or a tool gives it: a JSON object whose secrets are well
 * formed, and which is not itself a secret. (What a session already carries is only checked as JSON, so
 * no older context can block it.)
 */
export const ContextObject = JsonObject.superRefine((value, ctx) => {
  if (isSecret(value)) ctx.addIssue({ code: 'custom', message: `the context itself cannot be a secret: put it under a key, { "token": { "${SECRET_KEY}": "…" } }` });
  const secret = findMalformedSecret(value);
  if (secret) ctx.addIssue({ code: 'custom', message: `${secret.path ? `at ${secret.path}, ` : ''}${secret.reason}` });
});

/** What a session id is made of: anything but whitespace, control characters and lookalike-making invisible ones. */
const SESSION_ID_CHARACTERS =
  // eslint-disable-next-line no-misleading-character-class -- each code point is excluded on its own, combining ones (U+034F, U+17B4/5) included
  /^[^\s\p{Cc}\u00AD\u034F\u061C\u115F\u1160\u17B4\u17B5\u180E\u200B\u200E\u200F\u202A-\u202E\u2060-\u2064\u2066-\u206F\u3164\uFEFF\uFFA0\uFFF9-\uFFFB]+$/u;

/**
 * A session id: 1 to 200 characters, no whitespace, no control characters and none of the invisible
 * characters that let one id pass for another (zero-width spaces, bidirectional controls, soft hyphens,
 * word joiners, fillers); the joiners emoji and some scripts need (U+200C, U+200D) are allowed. E.g.
 * "alice:support", `{user}:{kind}`. It is the workflow id and the projection's key. Not `.` or `..`,
 * which a URL cannot carry as a path segment.
 */
export const SessionId = z
  .string({ error: 'a session id must be a string' })
  .min(1, 'a session id must not be empty')
  .max(MAX_SESSION_ID_LENGTH, `a session id must be at most ${MAX_SESSION_ID_LENGTH} characters`)
  .regex(SESSION_ID_CHARACTERS, 'a session id must not contain whitespace, control or invisible characters')
  .refine((id) => id !== '.' && id !== '..', 'a session id cannot be "." or ".." (URLs resolve them as path segments, so no HTTP request could name it)')
  .pipe(StorableText);
export type SessionId = z.infer<typeof SessionId>;

/** An agent's name: what items record, handoffs target and a message may ask for. */
export const AgentName = z
  .string({ error: 'an agent name must be a string' })
  .min(1, 'an agent name must not be empty')
  .max(MAX_AGENT_NAME_LENGTH, `an agent name must be at most ${MAX_AGENT_NAME_LENGTH} characters`)
  .regex(/^[^\p{Cc}]+$/u, 'an agent name must not contain control characters')
  .pipe(StorableText);
export type AgentName = z.infer<typeof AgentName>;

/**
 * A user id: 1 to 128 letters, digits and `.` `_` `@` `+` `-` (an email address fits; `:` does not,
 * so `{user}:{kind}` session ids split back). Sessions belong to a user; memories are kept per user.
 */
export const UserId = z
  .string({ error: 'a user id must be a string' })
  .regex(/^[\p{L}\p{N}._@+-]{1,128}$/u, 'a user id must be 1 to 128 letters, digits, ".", "_", "@", "+" or "-"');
export type UserId = z.infer<typeof UserId>;

/** A label's key: 1 to 64 letters, digits, `.`, `_` or `-`, and not "__proto__". */
export const LabelKey = z
  .string()
  .regex(/^[A-Za-z0-9._-]{1,64}$/, 'a label key must be 1 to 64 letters, digits, ".", "_" or "-"')
  .refine((key) => key !== '__proto__', 'a label key must not be "__proto__"');

/** A label's value: a string of at most 256 characters. */
export const LabelValue = z.string({ error: 'a label value must be a string' }).max(256, 'a label value must be at most 256 characters').pipe(StorableText);

/** The most labels a session has. */
export const MAX_LABELS = 32;

/**
 * A session's labels: up to 32 string values by key (e.g. `{ tier: "gold", department: "billing" }`),
 * set when it starts and changed with `updateLabels`; sessions are listed by label.
 */
export const Labels = withoutProtoKey<string>('labels')
  .pipe(z.record(LabelKey, LabelValue))
  .refine((labels) => Object.keys(labels).length <= MAX_LABELS, { message: `a session has at most ${MAX_LABELS} labels` });
export type Labels = z.infer<typeof Labels>;

/** An operation id (a message id, for instance): what makes a retried call idempotent. */
export const OperationId = StorableText.min(1, 'id must not be empty').max(MAX_ID_LENGTH, `id must be at most ${MAX_ID_LENGTH} characters`);

export { FunctionCallItem, FunctionCallOutputItem, Item, MessageItem, UserInputItem } from './items';
export type { OtherItem } from './items';

/**
 * An item as the session keeps it: its per-session sequence number (never reused), the agent that
 * produced it, and `summary: true` on a compaction summary (which stands for the turns before it).
 */
export const SessionItem = z.object({
  seq: z.number().int().positive(),
  agent: z.string(),
  at: z.string(),
  item: Item,
  summary: z.literal(true).optional(),
});
export type SessionItem = z.infer<typeof SessionItem>;

/**
 * A user message: `text`, or Responses-style `input` items instead, and an optional id that makes
 * a retried send idempotent (the client always sets one).
 */
export const UserMessage = z
  .object({
    id: OperationId.optional(),
    text: z.string({ error: 'text must be a string' }).max(MAX_TEXT_LENGTH, `text must be at most ${MAX_TEXT_LENGTH} characters`).pipe(StorableText).optional(),
    /** Items the message adds (a user message with text, images and files, or any items); the client turns bare content parts into one user message. */
    input: z.array(Item).min(1).max(MAX_INPUT_ITEMS).optional(),
    /** The agent that should answer (it stays the active agent); the active agent when absent. */
    agent: AgentName.optional(),
  })
  .strict()
  .superRefine((message, ctx) => {
    if (message.text === undefined && message.input === undefined) {
      ctx.addIssue({ code: 'custom', message: 'a message needs text (or input items)' });
    }
    if (message.text !== undefined && message.input !== undefined) {
      ctx.addIssue({ code: 'custom', message: 'give either text or input items, not both' });
    }
    if (message.text !== undefined && message.text.trim() === '') {
      ctx.addIssue({ code: 'custom', path: ['text'], message: 'text must not be empty' });
    }
    if (utf8Length(JSON.stringify(message)) > MAX_MESSAGE_BYTES) {
      ctx.addIssue({ code: 'custom', message: `a message must be at most ${MAX_MESSAGE_BYTES} bytes as JSON` });
    }
  });
export type UserMessage = z.infer<typeof UserMessage>;

/** Token usage, summed over the model calls of a turn or a session. */
export const Usage = z.object({
  requests: z.number().int().nonnegative(),
  inputTokens: z.number().int().nonnegative(),
  outputTokens: z.number().int().nonnegative(),
  totalTokens: z.number().int().nonnegative(),
  /** Output tokens spent reasoning, when the endpoint reports them (absent in usage recorded before they were kept). */
  reasoningTokens: z.number().int().nonnegative().optional(),
  /** Input tokens served from the provider's prompt cache, when the endpoint reports them. */
  cachedTokens: z.number().int().nonnegative().optional(),
});
export type Usage = z.infer<typeof Usage>;

/** Why the model stopped its last reply: done, out of output tokens, filtered, or calling tools. */
export const FinishReason = z.enum(['stop', 'length', 'content_filter', 'tool_calls']);
export type FinishReason = z.infer<typeof FinishReason>;

/** What a turn gives back: the reply text and every item the turn added. */
export const TurnResult = z.object({
  messageId: z.string(),
  reply: z.string(),
  agent: z.string(),
  items: z.array(SessionItem),
  usage: Usage,
  /**
   * The final answer parsed and checked against the agent's `outputType` (structured output); absent
   * for agents without one. Typed by the caller: `turn.output as z.infer<typeof MySchema>`.
   */
  output: z.unknown().optional(),
  /** Why the model stopped its last reply ('length': cut at the output token limit), when known. */
  finishReason: FinishReason.optional(),
  /** Set when the answer has no text and no structured output (say, cut at the token limit before a word): not a real answer. */
  empty: z.literal(true).optional(),
});
export type TurnResult = z.infer<typeof TurnResult>;

/** A turn's result, marked `empty` when its answer has neither text nor structured output. */
export function markedIfEmpty(result: Omit<TurnResult, 'empty'>): TurnResult {
  return result.reply.trim() === '' && result.output === undefined ? { ...result, empty: true } : result;
}

/**
 * Which committed items the model sees. `maxItems` keeps the latest N items, `maxTurns` the latest
 * N turns (a turn starts at a user message); both cut only where no tool call waits for its output.
 */
export const WindowSettings = z
  .object({
    maxItems: z.number().int().min(1).max(MAX_WINDOW_ITEMS).optional(),
    maxTurns: z.number().int().min(1).max(MAX_WINDOW_ITEMS).optional(),
  })
  .strict();
export type WindowSettings = z.infer<typeof WindowSettings>;

/**
 * When a summary replaces older turns in the model's view: once the window holds more than
 * `afterItems` items or an estimated `afterTokens` tokens; the latest `keepTurns` turns stay as they are.
 */
export const CompactionSettings = z
  .object({
    afterItems: z.number().int().min(2).max(MAX_WINDOW_ITEMS).optional(),
    afterTokens: z.number().int().min(100).optional(),
    keepTurns: z.number().int().min(0).max(100).default(2),
    /** The summarisation model; the session agent's model when absent. */
    model: z.string().min(1).max(200).optional(),
  })
  .strict()
  .refine((settings) => settings.afterItems !== undefined || settings.afterTokens !== undefined, {
    message: 'compaction needs afterItems or afterTokens',
  });
export type CompactionSettings = z.infer<typeof CompactionSettings>;

/** The settings besides the window, each optional. */
const optionalSettings = {
  /** Automatic compaction; none when absent (manual `compact` works either way). */
  compaction: CompactionSettings.optional(),
  /** A session input callback registered with the worker under this name. */
  inputCallback: z.string().min(1).max(100).optional(),
  /** End the session after this many seconds without an operation (status `expired`). */
  ttlSeconds: z
    .number()
    .int()
    .min(1)
    .max(10 * 365 * 24 * 3600)
    .optional(),
};

/** Per-session settings, set when the session starts and changed with `updateSettings`. */
export const SessionSettings = z.object({ window: WindowSettings.default({ maxItems: DEFAULT_WINDOW_ITEMS }), ...optionalSettings }).strict();
export type SessionSettings = z.infer<typeof SessionSettings>;
/** Session settings as a caller gives them (every field optional). */
export type SessionSettingsInput = z.input<typeof SessionSettings>;

/** Whether a context is within the documented bound, so that it can be carried across runs. */
const withinContextBound = (context: JsonObject) => utf8Length(JSON.stringify(context)) <= MAX_CONTEXT_BYTES;
const CONTEXT_BOUND_MESSAGE = `the context must be at most ${MAX_CONTEXT_BYTES} bytes as JSON`;

/** A context a caller starts or imports a session with: well formed and within the bound. */
export const BoundedContext = ContextObject.refine(withinContextBound, { message: CONTEXT_BOUND_MESSAGE });

/** The context a run carries to the next: JSON within the bound. */
export const CarriedContext = JsonObject.refine(withinContextBound, { message: CONTEXT_BOUND_MESSAGE });

/** Arguments of the `getItems` query. */
export const GetItemsArgs = z.object({ limit: z.number().int().positive('limit must be a positive integer').optional() }).strict();
export type GetItemsArgs = z.infer<typeof GetItemsArgs>;

/** Arguments of the `updateContext` update: top-level keys to set (shallow merge), and an optional id. */
export const ContextPatch = z.object({ patch: ContextObject, id: OperationId.optional() }).strict();
export type ContextPatch = z.infer<typeof ContextPatch>;

/**
 * What breaks the rule that every tool call has its output after it (and no output comes without its
 * call): one issue per offending item, with its index, or none.
 */
export function unpairedCalls(items: Item[], where: string): { path: number[]; message: string }[] {
  const issues: { path: number[]; message: string }[] = [];
  const open = new Map<string, string>();
  for (const [index, item] of items.entries()) {
    const pairing = pairingOf(item);
    if (pairing?.role === 'call') open.set(pairing.callId, typeOf(item));
    if (pairing?.role === 'output' && !open.delete(pairing.callId)) {
      issues.push({ path: [index], message: `${typeOf(item)} ${pairing.callId} has no ${typeOf(item).replace(/_(output|result)$/, '')} before it ${where}` });
    }
  }
  for (const [callId, type] of open) issues.push({ path: [], message: `${type} ${callId} needs its ${type}_output ${where}` });
  return issues;
}

/**
 * Arguments of `addItems`: items to append without a turn. A call may come before its output (the
 * Agents SDK saves a call when a run stops for an approval, and its output later); the model's window
 * leaves out whatever is unpaired when it is read.
 */
export const AddItemsArgs = z
  .object({ items: z.array(Item).min(1, 'give at least one item').max(MAX_INPUT_ITEMS), id: OperationId.optional() })
  .strict()
  .superRefine((args, ctx) => {
    if (utf8Length(JSON.stringify(args)) > MAX_MESSAGE_BYTES) {
      ctx.addIssue({ code: 'custom', message: `added items must be at most ${MAX_MESSAGE_BYTES} bytes as JSON` });
    }
  });
export type AddItemsArgs = z.infer<typeof AddItemsArgs>;

/**
 * Arguments of `replaceSuffix`: if the session's latest items equal `expectedSuffix`, they are replaced
 * by `replacement`, in one operation (the Agents SDK's history transaction); otherwise nothing changes.
 */
export const ReplaceSuffixArgs = z
  .object({
    expectedSuffix: z.array(Item).min(1, 'the expected suffix must not be empty').max(MAX_INPUT_ITEMS),
    replacement: AddItemsArgs.shape.items,
    id: OperationId.optional(),
  })
  .strict()
  .superRefine((args, ctx) => {
    const checked = AddItemsArgs.safeParse({ items: args.replacement });
    if (!checked.success) for (const issue of checked.error.issues) ctx.addIssue({ ...issue, path: ['replacement', ...issue.path.slice(1)] } as never);
  });
export type ReplaceSuffixArgs = z.infer<typeof ReplaceSuffixArgs>;

/** Arguments of the operations that take nothing but an optional id (pop, clear, compact, delete). */
export const OperationArgs = z.object({ id: OperationId.optional() }).strict();
export type OperationArgs = z.infer<typeof OperationArgs>;

/** The settings a change names (no defaults: what is absent stays as it is). */
export const SettingsChange = z.object({ window: WindowSettings.optional(), ...optionalSettings }).strict();
export type SettingsChange = z.infer<typeof SettingsChange>;

/** Arguments of `updateSettings`: the fields to change. */
export const SettingsPatch = z.object({ settings: SettingsChange, id: OperationId.optional() }).strict();
export type SettingsPatch = z.infer<typeof SettingsPatch>;

/** Arguments of `updateLabels`: labels to set, and labels to remove (null). */
export const LabelsPatch = z.object({ labels: withoutProtoKey<string | null>('labels').pipe(z.record(LabelKey, LabelValue.nullable())), id: OperationId.optional() }).strict();
export type LabelsPatch = z.infer<typeof LabelsPatch>;

/** What `compact` answers: the summary item and how many items it stands for, or null when nothing was old enough. */
export const CompactionResult = z.object({ summary: SessionItem, summarizedItems: z.number().int().positive() }).nullable();
export type CompactionResult = z.infer<typeof CompactionResult>;

/** What `getStatus` answers. */
/** An activity of the session's that failed and is being retried: what, how often, why, since when. */
export const RetryingActivity = z.object({
  activity: z.string(),
  attempt: z.number().int().positive(),
  lastError: z.string(),
  /** When the activity was first scheduled (ISO). */
  since: z.string(),
  /** When the next attempt starts, if Temporal said (ISO). */
  nextAttemptAt: z.string().optional(),
});
export type RetryingActivity = z.infer<typeof RetryingActivity>;

export const SessionStatus = z.object({
  sessionId: z.string(),
  agent: z.string(),
  /** The user the session belongs to, if any. */
  userId: z.string().optional(),
  labels: z.record(z.string(), z.string()),
  state: z.enum(['idle', 'running', 'awaiting-approval', 'rolling-over']),
  /** Tool calls that wait for a human's decision (list them with `pendingApprovals`). */
  pendingApprovals: z.number().int().nonnegative(),
  itemCount: z.number().int().nonnegative(),
  lastSeq: z.number().int().nonnegative(),
  turns: z.number().int().nonnegative(),
  queued: z.number().int().nonnegative(),
  usage: Usage,
  /** Items the model sees now, and their estimated tokens. */
  window: z.object({ items: z.number().int().nonnegative(), estimatedTokens: z.number().int().nonnegative() }),
  settings: SessionSettings,
  /** How many runs the session has had (1 + continue-as-new count), and this run's history. */
  run: z.number().int().positive(),
  updatesThisRun: z.number().int().nonnegative(),
  historyLength: z.number().int().nonnegative(),
  historySizeBytes: z.number().int().nonnegative(),
  /** Why a session is slow or stuck: its activities being retried (filled by the client from Temporal; empty when none). */
  retrying: z.array(RetryingActivity).optional(),
});
export type SessionStatus = z.infer<typeof SessionStatus>;

/** The UTF-8 byte length of a string, without Node's Buffer (this module runs in workflows too). */
export function utf8Length(text: string): number {
  let bytes = 0;
  for (const char of text) {
    const code = char.codePointAt(0) ?? 0;
    bytes += code < 0x80 ? 1 : code < 0x800 ? 2 : code < 0x10000 ? 3 : 4;
  }
  return bytes;
}

/** One line that says what is wrong with an input, from a zod error. */
export function describeIssues(error: z.ZodError): string {
  return error.issues.map(describeIssue).join('; ');
}

/** One issue as `path: message`; a record key's issue says what is wrong with the key. */
function describeIssue(issue: z.core.$ZodIssue): string {
  const message = issue.code === 'invalid_key' && issue.issues[0] ? issue.issues[0].message : issue.message;
  return issue.path.length > 0 ? `${issue.path.join('.')}: ${message}` : message;
}
