/**
 * The client library: send a message and wait for the reply, signal one, run every session operation
 * (add, pop, clear, compact, delete, context, settings), and read items from the Postgres projection.
 * Reads from the projection need no Temporal at all. Every operation carries an id, so the client
 * retries Temporal's passing refusals (a run continuing as new, too many updates in flight) with the
 * same id and a caller never sees them; while the session remembers the id (its last 2,000
 * operations), a retry never runs the operation twice.
 */
import { randomUUID } from 'node:crypto';
import {
  Client,
  Connection,
  ScheduleAlreadyRunning,
  WithStartWorkflowOperation,
  WorkflowExecutionAlreadyStartedError,
  type WorkflowHandle,
  type WorkflowExecutionDescription,
  type WorkflowUpdateHandle,
  WorkflowNotFoundError,
  WorkflowUpdateStage,
} from '@temporalio/client';
import type { UpdateDefinition } from '@temporalio/common';
import { Pool } from 'pg';
import { z } from 'zod';
import { readLatestItems } from '../postgres/items';
import { fingerprintOf } from '../shared/fingerprint';
import { endSessionRows, isTombstoned, listSessions, sessionPresence } from '../postgres/sessions';
import { deleteSessionExecutions } from '../activities/executions';
import {
  BackendUnavailableError,
  EncryptionKeyError,
  errorForFailure,
  InvalidInputError,
  SessionClosedError,
  SessionDeletedError,
  SessionExpiredError,
  SessionExistsError,
  SessionNotFoundError,
  WorkerUnavailableError,
  AgentSessionsError,
} from '../shared/errors';
import {
  addItemsUpdate,
  clearSessionUpdate,
  compactUpdate,
  CONVERSATION_WORKFLOW_TYPE,
  decideApprovalUpdate,
  getPendingApprovalsQuery,
  getWindowQuery,
  importSessionUpdate,
  DEFAULT_TASK_QUEUE,
  deleteSessionUpdate,
  getContextQuery,
  getItemsQuery,
  getStatusQuery,
  popItemUpdate,
  replaceSuffixUpdate,
  RETENTION_WORKFLOW_TYPE,
  sendMessageUpdate,
  updateContextUpdate,
  updateLabelsUpdate,
  updateSettingsUpdate,
  userMessageSignal,
} from '../shared/messages';
import {
  AddItemsArgs,
  ContextPatch,
  describeIssues,
  GetItemsArgs,
  type CompactionResult,
  type Item,
  type JsonObject,
  AgentName,
  type Labels,
  LabelsPatch,
  OperationId,
  ReplaceSuffixArgs,
  SessionId,
  SessionSettings,
  type SessionItem,
  type SessionSettingsInput,
  type RetryingActivity,
  type SessionStatus,
  SettingsPatch,
  type TurnResult,
  UserId,
  UserMessage,
} from '../shared/schemas';
import { SessionFilter as SessionFilterSchema, type SessionFilter, type SessionPage, type SessionUsage } from '../shared/listing';
import { MemoryInput, MemorySelector, type Memory } from '../shared/memory';
import { ApprovalDecisionArgs, type ApprovalDecisionResult, type PendingApproval } from '../shared/approvals';
import { deleteMemory, insertMemory, selectMemories } from '../postgres/memories';
import { readUsage } from '../postgres/usage';
import { readStreamEvents, readStreamHead } from '../postgres/stream-events';
import { StreamNotifications } from '../postgres/stream-notifications';
import type { StreamEvent } from '../shared/stream';
import { followTurn, type SentTurn, type StreamSource } from './turn-stream';
import { createDataConverter } from '../codec/data-converter';
import { ContentSealer } from '../codec/content-sealer';
import { contentSealer, sealContentWith } from '../postgres/content-sealing';
import { readDeploymentSetting } from '../postgres/deployment-settings';
import { resealProjection, type ResealCounts } from '../postgres/reseal';
import type { KeyRing } from '../codec/key-ring';
import { discardImport, stageImport } from '../postgres/imports';
import { documentUpToTurn, EXPORT_FORMAT, EXPORT_VERSION, SessionExport, type ImportResult } from '../shared/export';
import { addUsage, emptyUsage } from '../shared/usage';
import { cursorAfter, listedSession, positionOf } from './session-pages';
import { ConversationEnd, ConversationInput } from '../shared/session-snapshot';
import { isDeadline, isNotFound, isQueryFailure, isRetryableRefusal, isUnavailable, updateFailure } from './temporal-errors';
import { DeploymentGuard } from './deployment-guard';
import { keyIdsIn } from '../codec/encryption-codec';
import type { ContentPart } from '../shared/content-parts';
import { CONTENT_REF_PREFIX } from '../shared/content-parts';
import { findContentRefs, largeContentBytes, MAX_MESSAGE_CONTENT_BYTES, reservedRefPath } from '../shared/content-refs';
import { resolveContent, storeContentParts, withContentRefs } from '../postgres/content-parts';

export { SessionId };

/** The content part types a user message is made of; `send`'s `input` of these becomes one user message. */
const USER_PART_TYPES = ['input_text', 'input_image', 'input_file'];

/**
 * A message as `send`, `stream` and `signal` take it: its text, or `input`: the content parts of one
 * user message (`input_text`, `input_image` with an `image_url` that is a URL or a data URL,
 * `input_file` with `file_data` as a data URL and a `filename`), or whole Responses API items.
 */
export type MessageInput = string | (Omit<UserMessage, 'input'> & { input?: Array<ContentPart | Item> });

/** A checked value whose large content was replaced by references, and those parts (to store before it is sent). */
interface WithParts<T> {
  value: T;
  parts: Map<string, string>;
}

/** How a new session starts, when a message is the first one (ignored when the session exists). */
export interface StartOptions {
  /** The typed context a new session starts with. */
  context?: JsonObject;
  /** The agent that answers first in a new session. */
  agent?: string;
  /** The session's settings: the model's window, compaction, an input callback, a time-to-live. */
  settings?: SessionSettingsInput;
  /** The user the session belongs to: their long-term memories are recalled, and kept by the memory tools. */
  userId?: string;
  /** Labels to list the session by (`{ tier: 'gold' }`); change them with `updateLabels`. */
  labels?: Labels;
}

/** An operation's id, to make a retried call idempotent (one is made when absent). */
export interface OperationOptions {
  id?: string;
}

/** Where the client connects and how long it waits for a worker. */
export interface SessionsClientOptions {
  /** A Temporal client (connected lazily by `connect`). */
  temporal: Client;
  /** Postgres with the projection; needed by `items`. */
  pool?: Pool;
  taskQueue?: string;
  /** How long an operation may wait for a worker to take it before WorkerUnavailableError (5 s). */
  workerWaitMs?: number;
  /** How long Temporal's passing refusals are retried before BackendUnavailableError (60 s). */
  retryForMs?: number;
  /** The keys of this client's data converter: a session whose history needs another key is refused naming it. */
  encryptionKeys?: KeyRing;
  /** Checks the deployment's encryption setting before each operation (`connect` makes one). */
  guard?: DeploymentGuard;
}

/** The id of the Temporal Schedule that runs the retention pass. */
export const RETENTION_SCHEDULE_ID = 'agent-sessions-retention';

/** Which sessions retention deletes. */
const RetentionOptions = z.object({ olderThanDays: z.number().int().positive('olderThanDays must be a positive whole number') });

/** How often an export reads again when the session changed while it was read. */
const EXPORT_ATTEMPTS = 5;

const DEFAULT_WORKER_WAIT_MS = 5_000;
const DEFAULT_RETRY_FOR_MS = 60_000;
/** A poller seen this recently counts as a live worker (a long poll lasts about a minute). */
const LIVE_POLLER_MS = 75_000;

/** A client for durable agent sessions. */
export class SessionsClient {
  private readonly temporal: Client;
  private readonly pool?: Pool;
  private readonly taskQueue: string;
  private readonly workerWaitMs: number;
  private readonly retryForMs: number;
  private notifications?: StreamNotifications;
  /** Temporal calls not settled yet, which `close` waits for. */
  private readonly inFlight = new Set<Promise<unknown>>();
  private readonly keys?: KeyRing;
  private readonly guard: DeploymentGuard;

  constructor(options: SessionsClientOptions) {
    this.keys = options.encryptionKeys;
    this.guard = options.guard ?? new DeploymentGuard(options.pool, options.encryptionKeys, false);
    this.temporal = options.temporal;
    this.pool = options.pool;
    this.taskQueue = options.taskQueue ?? DEFAULT_TASK_QUEUE;
    this.workerWaitMs = options.workerWaitMs ?? DEFAULT_WORKER_WAIT_MS;
    this.retryForMs = options.retryForMs ?? DEFAULT_RETRY_FOR_MS;
  }

  /**
   * A client for Temporal (connected on first use, so projection reads work while Temporal is down)
   * and Postgres (when a URL is given). Close with `close()`.
   */
  static async connect(options: {
    /** Temporal's address; Temporal's own default (localhost:7233) when absent. */
    temporalAddress?: string;
    namespace?: string;
    databaseUrl?: string;
    taskQueue?: string;
    workerWaitMs?: number;
    /** The keys the worker encrypts payloads with (`parseKeyRing`); required when it encrypts. */
    encryptionKeys?: KeyRing;
    /**
     * Seals what this client stores in the projection until the deployment's setting is read (a worker
     * records it at start); from then on the setting decides, whoever writes.
     */
    encryptProjection?: boolean;
  }): Promise<SessionsClient> {
    const sealer = new ContentSealer(options.encryptionKeys, options.encryptProjection ?? false);
    const connection = Connection.lazy({ address: options.temporalAddress ?? 'localhost:7233', connectTimeout: '5 seconds' });
    const pool = options.databaseUrl ? new Pool({ connectionString: options.databaseUrl, max: 4 }) : undefined;
    if (pool) sealContentWith(pool, sealer);
    return new SessionsClient({
      temporal: new Client({ connection, namespace: options.namespace ?? 'default', dataConverter: createDataConverter(options.encryptionKeys) }),
      pool,
      taskQueue: options.taskQueue,
      workerWaitMs: options.workerWaitMs,
      encryptionKeys: options.encryptionKeys,
      guard: new DeploymentGuard(pool, options.encryptionKeys, options.encryptProjection ?? false),
    });
  }

  /**
   * Sends a message and waits for its turn's result; the first message starts the session. The message
   * is text, or `input`: content parts of one user message, e.g.
   * `{ input: [{ type: 'input_text', text: 'What is this?' }, { type: 'input_image', image_url: 'data:image/png;base64,…' }] }`,
   * or whole items. An image or file (a data URL) of up to 20 MB works, up to 50 MiB of them in one
   * message: each data URL longer than 16 KiB is stored once in Postgres and only its reference goes
   * through Temporal (this needs a databaseUrl). Bad input throws InvalidInputError and stores nothing.
   * The result's items are as given (large content included).
   */
  async send(sessionId: string, message: MessageInput | UserMessage, start: StartOptions = {}): Promise<TurnResult> {
    return this.sendChecked(checkSessionId(sessionId), checkMessage(message), start);
  }

  /** Sends a checked message (storing its large content first); `onAccepted` is called once the session has taken it. */
  private async sendChecked(id: string, message: WithParts<UserMessage & { id: string }>, start: StartOptions, onAccepted?: () => void): Promise<TurnResult> {
    const startArgs = checkStart(start);
    await this.refuseDeleted(id);
    await this.storeParts(id, message.parts);
    const result = await this.update(id, sendMessageUpdate, message.value, message.value.id, () => this.startOperation(id, startArgs), onAccepted);
    return this.resolved(id, result);
  }

  /** Stores the large content of what is about to be sent (idempotent), so that only references go through Temporal. */
  private async storeParts(sessionId: string, parts: Map<string, string>): Promise<void> {
    if (parts.size === 0) return;
    if (!this.pool) {
      throw new InvalidInputError(
        `images and files longer than ${INLINE_LIMIT_TEXT} are stored in Postgres: connect with a databaseUrl (DATABASE_URL) to send them`,
      );
    }
    const pool = this.pool;
    await this.read(() => storeContentParts(pool, sessionId, parts));
  }

  /** `value` with its references replaced by the content they stand for (as it was given); as it is without Postgres. */
  private async resolved<T>(sessionId: string, value: T): Promise<T> {
    const pool = this.pool;
    if (!pool || findContentRefs(value).length === 0) return value;
    return this.read(() => resolveContent(pool, sessionId, value));
  }

  /**
   * Sends a message and follows its turn as it runs: `started` (with the message id) once the session
   * has taken it, then text deltas, tool calls and outputs, handoffs and approvals as the worker's
   * activities write them, then `done` with the result. A message the session refuses throws before
   * `started`; a failed turn throws what `send` throws, after the events it wrote. A `discard` voids
   * the events of its step (a model call that was retried). To resume after a disconnect, call again
   * with the same message id and the last offset seen as `after`: the turn runs once, and no event is
   * given twice. Aborting `signal` stops following (the turn runs on). The message is sent when the
   * iteration starts. Needs Postgres (databaseUrl).
   */
  stream(
    sessionId: string,
    message: MessageInput | UserMessage,
    options: StartOptions & { after?: number; signal?: AbortSignal } = {},
  ): AsyncGenerator<StreamEvent> {
    const { after = 0, signal, ...start } = options;
    const offset = check(StreamOffset, after, 'invalid offset (after)');
    const id = checkSessionId(sessionId);
    const checked = checkMessage(message);
    const pool = this.requirePool();
    const notifications = (this.notifications ??= new StreamNotifications(pool));
    const source: StreamSource = {
      read: (from, limit) => this.read(() => readStreamEvents(pool, id, checked.value.id, from, limit)),
      lastOffset: () => this.read(() => readStreamHead(pool, id, checked.value.id)),
      wait: (fallbackMs, wake) => notifications.wait(id, fallbackMs, wake),
    };
    const send = (): SentTurn => {
      let markAccepted = () => undefined as void;
      const accepted = new Promise<void>((resolve) => (markAccepted = resolve));
      return { accepted, outcome: this.sendChecked(id, checked, start, markAccepted) };
    };
    return followTurn(source, checked.value.id, send, offset, signal);
  }

  /** Sends a message without waiting (fire and forget); returns the message id. */
  async signal(sessionId: string, message: MessageInput | UserMessage, start: StartOptions = {}): Promise<string> {
    const id = checkSessionId(sessionId);
    const checked = checkMessage(message);
    const startArgs = checkStart(start);
    await this.guard.check();
    await this.refuseDeleted(id);
    await this.storeParts(id, checked.parts);
    try {
      await this.temporal.workflow.signalWithStart(CONVERSATION_WORKFLOW_TYPE, {
        workflowId: id,
        taskQueue: this.taskQueue,
        args: [startArgs],
        signal: userMessageSignal,
        signalArgs: [checked.value],
        workflowIdReusePolicy: 'REJECT_DUPLICATE',
      });
    } catch (error) {
      throw await this.translate(error, id);
    }
    return checked.value.id;
  }

  /**
   * Appends items without a turn (a tool call and its output together); returns them with their seqs.
   * Starts the session when it does not exist yet (with `start`).
   */
  async addItems(sessionId: string, items: Item[], options: OperationOptions & StartOptions = {}): Promise<SessionItem[]> {
    const id = checkSessionId(sessionId);
    const { value: args, parts } = checkWithContent(AddItemsArgs, { items, id: options.id ?? randomUUID() }, 'invalid items');
    const { id: _operationId, ...start } = options;
    const startArgs = checkStart(start);
    await this.refuseDeleted(id);
    await this.storeParts(id, parts);
    return this.resolved(id, await this.update(id, addItemsUpdate, args, args.id as string, () => this.startOperation(id, startArgs)));
  }

  /**
   * Replaces the session's latest items with `replacement` if they equal `expectedSuffix`, in one
   * operation (idempotent by id); otherwise refuses with InvalidInputError and changes nothing.
   */
  async replaceSuffix(sessionId: string, expectedSuffix: Item[], replacement: Item[], options: OperationOptions = {}): Promise<SessionItem[]> {
    const id = checkSessionId(sessionId);
    const { value: args } = checkWithContent(ReplaceSuffixArgs, { expectedSuffix, replacement, id: options.id ?? randomUUID() }, 'invalid replacement');
    // The session holds references: the expected suffix is compared by reference; only the replacement's content is stored.
    await this.storeParts(id, withContentRefs(replacement).parts);
    return this.resolved(id, await this.update(id, replaceSuffixUpdate, args, args.id as string));
  }

  /**
   * Removes and returns the latest item (a tool output takes its call with it); null when empty. The
   * images and files it carried stay stored until the session is deleted (they are stored by content,
   * so another item may share them).
   */
  async popItem(sessionId: string, options: OperationOptions = {}): Promise<SessionItem | null> {
    return this.resolved(sessionId, await this.simpleOperation(sessionId, popItemUpdate, options));
  }

  /** Removes every item; the session, its context and settings stay (stored images and files stay until the session is deleted). */
  async clearSession(sessionId: string, options: OperationOptions = {}): Promise<void> {
    await this.simpleOperation(sessionId, clearSessionUpdate, options);
  }

  /** Summarises the older turns of the model's window now; null when there was nothing old enough. */
  async compact(sessionId: string, options: OperationOptions = {}): Promise<CompactionResult> {
    return this.simpleOperation(sessionId, compactUpdate, options);
  }

  /**
   * Ends the session and removes its rows and stored images and files, leaving only its tombstone; its
   * executions are deleted from Temporal once its run has closed (within seconds). The id can never
   * start a session again.
   */
  async deleteSession(sessionId: string, options: OperationOptions = {}): Promise<void> {
    try {
      await this.simpleOperation(sessionId, deleteSessionUpdate, options);
    } catch (error) {
      if (!(error instanceof SessionExpiredError)) throw error;
      // An expired session's run has closed already: delete its rows and its executions here.
      const id = checkSessionId(sessionId);
      await this.read(() => endSessionRows(this.requirePool(), id, 'deleted'));
      await this.track(deleteSessionExecutions(this.temporal, id)).catch(async (thrown: unknown) => {
        throw await this.translate(thrown, id);
      });
    }
  }

  /** Sets top-level keys of the session's context, in turn with its other operations; returns the new context. */
  async updateContext(sessionId: string, patch: JsonObject, options: OperationOptions = {}): Promise<JsonObject> {
    const id = checkSessionId(sessionId);
    const args = check(ContextPatch, { patch, id: options.id ?? randomUUID() }, 'invalid context patch');
    return this.update(id, updateContextUpdate, args, args.id as string);
  }

  /** Changes some of the session's settings; returns them all. */
  async updateSettings(sessionId: string, settings: Partial<SessionSettingsInput>, options: OperationOptions = {}): Promise<SessionSettings> {
    const id = checkSessionId(sessionId);
    const args = check(SettingsPatch, { settings, id: options.id ?? randomUUID() }, 'invalid settings');
    return this.update(id, updateSettingsUpdate, args, args.id as string);
  }

  /**
   * The session as a versioned JSON document: items, context, settings, labels, user, usage and the
   * model's window. Reads the workflow and the projection, again if a write lands in between.
   */
  async exportSession(sessionId: string): Promise<SessionExport> {
    const id = checkSessionId(sessionId);
    const pool = this.requirePool();
    for (let attempt = 1; ; attempt++) {
      const before = await this.status(id);
      const [context, window, items, usage] = await Promise.all([
        this.context(id),
        this.query(id, (handle) => handle.query(getWindowQuery)),
        this.read(() => readLatestItems(pool, id)),
        this.read(() => readUsage(pool, id)),
      ]);
      const after = await this.status(id);
      const settled = after.lastSeq === before.lastSeq && after.turns === before.turns && after.itemCount === items.length;
      if (!settled && attempt < EXPORT_ATTEMPTS) continue;
      if (!settled) throw new BackendUnavailableError(`the session "${id}" kept changing while it was exported; export it when it is idle`);
      return {
        format: EXPORT_FORMAT,
        version: EXPORT_VERSION,
        sessionId: id,
        exportedAt: new Date().toISOString(),
        userId: after.userId ?? null,
        labels: after.labels,
        agent: after.agent,
        context,
        settings: after.settings,
        turns: after.turns,
        lastSeq: after.lastSeq,
        window,
        items: await this.resolved(id, items),
        usage,
        usageTotal: after.usage,
      };
    }
  }

  /**
   * Creates the session `sessionId` from a document `exportSession` wrote: the same items (seqs,
   * agents, times), context, settings, labels, user, usage and window. The id must be new.
   */
  async importSession(sessionId: string, document: SessionExport): Promise<ImportResult> {
    const id = checkSessionId(sessionId);
    const { value: checked, parts } = checkWithContent(SessionExport, document, 'invalid session document', { document: true });
    const pool = this.requirePool();
    await this.refuseDeleted(id);
    if (await this.sessionExists(id)) throw new SessionExistsError(id);
    const importId = randomUUID();
    await this.storeParts(id, parts);
    await this.read(() => stageImport(pool, importId, id, checked));
    const start = checkStart({
      context: checked.context,
      settings: checked.settings,
      labels: checked.labels,
      ...(checked.agent ? { agent: checked.agent } : {}),
      ...(checked.userId ? { userId: checked.userId } : {}),
    });
    const args = { importId, lastSeq: checked.lastSeq, turns: checked.turns, usage: checked.usageTotal, window: checked.window, id: importId };
    try {
      return await this.update(id, importSessionUpdate, args, importId, () => this.startOperation(id, start, 'FAIL'));
    } catch (error) {
      await discardImport(pool, importId).catch(() => undefined);
      throw error;
    }
  }

  /** A new session `to` with the items of `from` up to its turn `turn` (all of them when absent), its context, settings, labels and user. */
  async forkSession(from: string, to: string, options: { turn?: number } = {}): Promise<ImportResult> {
    const turn = check(z.number().int().positive('turn must be a positive integer').optional(), options.turn, 'invalid turn');
    checkSessionId(to);
    const document = await this.exportSession(from);
    return this.importSession(to, turn === undefined ? document : documentUpToTurn(document, turn));
  }

  /** The tool calls of the session that wait for a human's decision (the turn that made them is paused). */
  async pendingApprovals(sessionId: string): Promise<PendingApproval[]> {
    return this.query(sessionId, (handle) => handle.query(getPendingApprovalsQuery));
  }

  /** Approves a waiting tool call: it runs when every call its turn waits on is decided. */
  async approve(sessionId: string, callId: string, options: OperationOptions & { reason?: string } = {}): Promise<ApprovalDecisionResult> {
    return this.decide(sessionId, callId, true, options);
  }

  /** Rejects a waiting tool call: the model reads the rejection (and the reason) as the tool's output. */
  async reject(sessionId: string, callId: string, options: OperationOptions & { reason?: string } = {}): Promise<ApprovalDecisionResult> {
    return this.decide(sessionId, callId, false, options);
  }

  /** Sets labels (a null value removes one), in turn with the session's other operations; returns them all. */
  async updateLabels(sessionId: string, labels: Record<string, string | null>, options: OperationOptions = {}): Promise<Labels> {
    const id = checkSessionId(sessionId);
    const args = check(LabelsPatch, { labels, id: options.id ?? randomUUID() }, 'invalid labels');
    return this.update(id, updateLabelsUpdate, args, args.id as string);
  }

  /**
   * A page of sessions from the projection, most recently changed first, by id prefix, user, labels
   * (all must match) and last change; pass the page's `next` as `cursor` for the page after it.
   */
  async list(filter: SessionFilter = {}): Promise<SessionPage> {
    const checked = check(SessionFilterSchema, filter, 'invalid session filter');
    const rows = await this.read(() =>
      listSessions(this.requirePool(), { ...checked, limit: checked.limit + 1, after: checked.cursor ? positionOf(checked.cursor) : undefined }),
    );
    const page = rows.slice(0, checked.limit);
    return { sessions: page.map(listedSession), ...(rows.length > checked.limit ? { next: cursorAfter(page[page.length - 1]) } : {}) };
  }

  /** The tokens the session spent, per turn (and per compaction), with the total; from the projection. */
  async usage(sessionId: string): Promise<SessionUsage> {
    const id = checkSessionId(sessionId);
    const pool = this.requirePool();
    const entries = await this.read(() => readUsage(pool, id));
    if (entries.length === 0) await this.requirePresent(pool, id);
    return { sessionId: id, entries, total: entries.reduce((sum, entry) => addUsage(sum, entry.usage), emptyUsage()) };
  }

  /** A user's long-term memories, most recently changed first (at most `limit`, 100 when absent). */
  async listMemories(userId: string, options: { limit?: number } = {}): Promise<Memory[]> {
    const user = check(UserId, userId, 'invalid user id');
    const limit = check(z.number().int().positive().max(10_000).default(100), options.limit, 'invalid limit');
    return this.read(() => selectMemories(this.requirePool(), user, limit));
  }

  /** Stores a fact in a user's memory (a fact with a key replaces the user's earlier one with that key). */
  async addMemory(userId: string, memory: MemoryInput, options: { sourceSession?: string } = {}): Promise<Memory> {
    const user = check(UserId, userId, 'invalid user id');
    const input = check(MemoryInput, memory, 'invalid memory');
    const source = options.sourceSession === undefined ? null : checkSessionId(options.sourceSession);
    return this.read(() => insertMemory(this.requirePool(), user, input, source));
  }

  /** Forgets one of a user's memories, by id or key; the memory removed, or undefined when none matched. */
  async deleteMemory(userId: string, which: MemorySelector): Promise<Memory | undefined> {
    const user = check(UserId, userId, 'invalid user id');
    const selector = check(MemorySelector, which, 'invalid memory selector');
    return this.read(() => deleteMemory(this.requirePool(), user, selector));
  }

  /**
   * The latest `limit` items (all when absent) in chronological order, from the projection: every
   * item the session ever kept, readable while Temporal is down.
   */
  async items(sessionId: string, options: { limit?: number } = {}): Promise<SessionItem[]> {
    const id = checkSessionId(sessionId);
    const limit = check(ItemsLimit, options.limit, 'invalid limit');
    const pool = this.requirePool();
    const items = await this.read(() => readLatestItems(pool, id, { limit }));
    if (items.length === 0) await this.requirePresent(pool, id);
    return this.resolved(id, items);
  }

  /** The latest items the workflow holds in memory (at most 50): for checking the projection against. Large content is read back from Postgres when connected. */
  async workflowItems(sessionId: string, options: { limit?: number } = {}): Promise<SessionItem[]> {
    const args = check(GetItemsArgs, options, 'invalid limit');
    return this.resolved(sessionId, await this.query(sessionId, (handle) => handle.query(getItemsQuery, args)));
  }

  /** The session's typed context. */
  async context(sessionId: string): Promise<JsonObject> {
    return this.query(sessionId, (handle) => handle.query(getContextQuery));
  }

  /** The session's counters, window, settings and state. */
  async status(sessionId: string): Promise<SessionStatus> {
    const [status, retrying] = await Promise.all([this.query(sessionId, (handle) => handle.query(getStatusQuery)), this.retryingActivities(sessionId)]);
    return { ...status, retrying };
  }

  /** The session's activities that failed and are being retried, from Temporal's description of the run (none when it cannot tell). */
  private async retryingActivities(sessionId: string): Promise<RetryingActivity[]> {
    const description = await this.describeRun(sessionId);
    return (description?.raw.pendingActivities ?? [])
      .filter((pending) => (pending.attempt ?? 1) > 1 || pending.lastFailure)
      .map((pending) => ({
        activity: pending.activityType?.name ?? 'unknown',
        attempt: pending.attempt ?? 1,
        lastError: pending.lastFailure?.message ?? '',
        since: isoTime(pending.scheduledTime) ?? new Date().toISOString(),
        ...(pending.nextAttemptScheduleTime ? { nextAttemptAt: isoTime(pending.nextAttemptScheduleTime) } : {}),
      }));
  }

  /**
   * Deletes every session last changed more than `olderThanDays` days ago (one pass of the
   * `retention` workflow on the worker); returns how many it deleted.
   */
  async applyRetention(options: { olderThanDays: number }): Promise<{ deleted: number }> {
    const input = check(RetentionOptions, options, 'invalid retention options');
    await this.guard.check();
    try {
      return await this.temporal.workflow.execute(RETENTION_WORKFLOW_TYPE, {
        taskQueue: this.taskQueue,
        workflowId: `retention-${new Date().toISOString()}-${randomUUID().slice(0, 8)}`,
        args: [input],
      });
    } catch (error) {
      throw await this.translate(error, 'retention');
    }
  }

  /** Makes a Temporal Schedule run the retention pass every `everyHours` hours (24 by default); returns its id. */
  async scheduleRetention(options: { olderThanDays: number; everyHours?: number }): Promise<string> {
    const input = check(RetentionOptions, options, 'invalid retention options');
    const every = `${check(z.number().int().positive().default(24), options.everyHours, 'invalid everyHours')} hours`;
    const action = {
      type: 'startWorkflow' as const,
      workflowType: RETENTION_WORKFLOW_TYPE,
      taskQueue: this.taskQueue,
      args: [{ olderThanDays: input.olderThanDays }],
    };
    await this.guard.check();
    try {
      await this.temporal.schedule.create({ scheduleId: RETENTION_SCHEDULE_ID, spec: { intervals: [{ every }] }, action });
    } catch (error) {
      if (!(error instanceof ScheduleAlreadyRunning)) throw await this.translate(error, 'retention');
      await this.temporal.schedule
        .getHandle(RETENTION_SCHEDULE_ID)
        .update((previous) => ({ ...previous, spec: { intervals: [{ every }] }, action }))
        .catch(async (updateError: unknown) => {
          throw await this.translate(updateError, 'retention');
        });
    }
    return RETENTION_SCHEDULE_ID;
  }

  /**
   * Rewrites the projection's rows under the current key (the first of `encryptionKeys`): rows sealed
   * with an older key, and plain rows when the deployment seals (its recorded setting, else this
   * client's `encryptProjection`). Run it after a rotation, before removing the old key. Idempotent,
   * in batches; returns how many rows of each table it rewrote. Needs Postgres and the keys.
   */
  async reseal(options: { onTable?: (table: string, rows: number) => void } = {}): Promise<ResealCounts> {
    const pool = this.requirePool();
    if (!this.keys) throw new EncryptionKeyError('re-sealing needs the keys: set AGENT_SESSIONS_ENCRYPTION_KEYS, the current key first and the old ones after it');
    const keys = this.keys;
    await this.guard.check();
    return this.read(async () => {
      const setting = await readDeploymentSetting(pool);
      const seal = setting?.sealProjection ?? contentSealer(pool).seal;
      return resealProjection(pool, new ContentSealer(keys, seal), options.onTable);
    });
  }

  /** The session's Temporal workflow handle, for what this client does not wrap. */
  temporalHandle(sessionId: string): WorkflowHandle {
    return this.temporal.workflow.getHandle(checkSessionId(sessionId));
  }

  /** Closes the connections this client opened. */
  async close(): Promise<void> {
    // Calls still retrying on the connection would fire on a closed channel; let them settle first (briefly).
    if (this.inFlight.size > 0) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([Promise.allSettled([...this.inFlight]), new Promise((resolve) => (timer = setTimeout(resolve, CLOSE_WAIT_MS)))]);
      clearTimeout(timer);
    }
    await this.notifications?.close();
    await this.pool?.end();
    await this.temporal.connection.close();
  }

  /** Keeps `call` among the calls `close` waits for until it settles. */
  private track<T>(call: Promise<T>): Promise<T> {
    this.inFlight.add(call);
    const settled = () => this.inFlight.delete(call);
    call.then(settled, settled);
    return call;
  }

  private async decide(sessionId: string, callId: string, approved: boolean, options: OperationOptions & { reason?: string }): Promise<ApprovalDecisionResult> {
    const id = checkSessionId(sessionId);
    const args = check(ApprovalDecisionArgs, { callId, approved, reason: options.reason, id: options.id ?? randomUUID() }, 'invalid decision');
    return this.update(id, decideApprovalUpdate, args, args.id as string);
  }

  /** Runs a projection query; a failure to reach Postgres becomes BackendUnavailableError. */
  private async read<T>(query: () => Promise<T>): Promise<T> {
    try {
      await this.guard.check();
      return await query();
    } catch (error) {
      if (error instanceof AgentSessionsError) throw error;
      throw new BackendUnavailableError(`cannot read the projection: ${(error as Error).message}; check DATABASE_URL`, { cause: error });
    }
  }

  private requirePool(): Pool {
    if (!this.pool) throw new InvalidInputError('reading items needs Postgres: connect with a databaseUrl (DATABASE_URL)');
    return this.pool;
  }

  /** Whether a session with this id runs or ran (its workflow exists in Temporal). */
  private async sessionExists(sessionId: string): Promise<boolean> {
    await this.guard.check();
    try {
      await this.temporal.workflow.getHandle(sessionId).describe();
      return true;
    } catch (error) {
      if (error instanceof WorkflowNotFoundError || isNotFound(error)) return false;
      throw await this.translate(error, sessionId);
    }
  }

  /** A start operation for update-with-start (each call uses one up); `FAIL` refuses a running session. */
  private startOperation(
    sessionId: string,
    start: ConversationInput,
    onConflict: 'USE_EXISTING' | 'FAIL' = 'USE_EXISTING',
  ): WithStartWorkflowOperation<typeof conversationType> {
    return new WithStartWorkflowOperation(CONVERSATION_WORKFLOW_TYPE, {
      workflowId: sessionId,
      taskQueue: this.taskQueue,
      args: [start],
      workflowIdConflictPolicy: onConflict,
      workflowIdReusePolicy: 'REJECT_DUPLICATE',
    });
  }

  private async simpleOperation<Result>(
    sessionId: string,
    update: UpdateDefinition<Result, [{ id?: string }]>,
    options: OperationOptions,
  ): Promise<Result> {
    const id = checkSessionId(sessionId);
    const operationId = check(OperationId, options.id ?? randomUUID(), 'invalid id');
    return this.update(id, update, { id: operationId }, operationId);
  }

  /**
   * Runs an update until it has an outcome: waits up to `workerWaitMs` for a worker to accept it
   * (then says no worker is there), and retries Temporal's passing refusals with the same id.
   */
  private update<Result, Args>(
    sessionId: string,
    update: UpdateDefinition<Result, [Args]>,
    args: Args,
    updateId: string,
    start?: () => WithStartWorkflowOperation<typeof conversationType>,
    onAccepted?: () => void,
  ): Promise<Result> {
    // Once a run has accepted the update, a failed wait for its result waits on that update again; only an
    // update that ended in a refusal (the run rolling over) is sent again, so a message is never re-sent late.
    let accepted: WorkflowUpdateHandle<Result> | undefined;
    return this.untilTaken(sessionId, updateId, async () => {
      // The Temporal update id carries the arguments' fingerprint: Temporal answers a repeated update id from the
      // first update without asking the workflow, so the same operation id with other arguments must reach it.
      const options = { args: [args] as [Args], updateId: `${updateId}#${fingerprintOf(args)}`, waitForStage: WorkflowUpdateStage.ACCEPTED };
      accepted ??= await this.temporal.withDeadline(Date.now() + this.workerWaitMs, () =>
        start
          ? this.temporal.workflow.startUpdateWithStart(update, { ...options, startWorkflowOperation: start() })
          : this.temporal.workflow.getHandle(sessionId).startUpdate(update, options),
      );
      onAccepted?.();
      try {
        return await accepted.result();
      } catch (error) {
        if (updateFailure(error)) accepted = undefined;
        throw error;
      }
    });
  }

  /** Runs a query, retrying Temporal's passing refusals (a run that has just continued as new, for one). */
  private query<T>(sessionId: string, read: (handle: WorkflowHandle) => Promise<T>): Promise<T> {
    const handle = this.temporalHandle(sessionId);
    // A deleted session's run refuses queries (and is soon gone from Temporal): say it was deleted, never a stale state.
    return this.untilTaken(handle.workflowId, undefined, () => this.temporal.withDeadline(Date.now() + this.workerWaitMs, () => read(handle))).catch(
      async (error: unknown) => {
        const closed = await this.closedSessionError(handle.workflowId).catch(() => undefined);
        throw closed instanceof SessionDeletedError ? closed : error;
      },
    );
  }

  /** Throws SessionDeletedError when the id's tombstone is there (one indexed query; only on paths that may start a session). */
  private async refuseDeleted(sessionId: string): Promise<void> {
    const pool = this.pool;
    if (pool && (await this.read(() => isTombstoned(pool, sessionId)))) throw deletedError(sessionId);
  }

  /** For a read that found nothing: SessionDeletedError when the id was deleted, SessionNotFoundError when it never existed. */
  private async requirePresent(pool: Pool, sessionId: string): Promise<void> {
    const presence = await this.read(() => sessionPresence(pool, sessionId));
    if (presence === 'deleted') throw deletedError(sessionId);
    if (presence === 'absent') throw new SessionNotFoundError(sessionId);
  }

  /**
   * Calls `attempt` until it succeeds. When no worker takes the call within `workerWaitMs`, it says so
   * unless a worker polls; Temporal's passing refusals are retried with backoff. It gives up only when
   * the session made no progress for `retryForMs` (a busy session, its update slots taken by other
   * callers, is waited for). Anything else is translated at once.
   */
  private untilTaken<T>(sessionId: string, operationId: string | undefined, attempt: () => Promise<T>): Promise<T> {
    return this.track(this.retryUntilTaken(sessionId, operationId, attempt));
  }

  private async retryUntilTaken<T>(sessionId: string, operationId: string | undefined, attempt: () => Promise<T>): Promise<T> {
    let giveUpAt = Date.now() + this.retryForMs;
    /** Where the session stood at the first refusal (then at each extension of the deadline). */
    let progress: string | undefined;
    let baselined = false;
    let keysChecked = false;
    await this.guard.check();
    for (let tries = 0; ; tries++) {
      try {
        return await attempt();
      } catch (error) {
        if (isDeadline(error)) await this.requireLiveWorker(sessionId, operationId);
        else if (!isRetryableRefusal(error)) throw await this.translate(error, sessionId);
        // A worker polls but no run took the call: a workflow task that fails because a key is missing fails forever, so say which key at once.
        if (!keysChecked) {
          keysChecked = true;
          const missingKey = await this.missingKeyError(sessionId);
          if (missingKey) throw missingKey;
        }
        if (!baselined) {
          baselined = true;
          progress = await this.progressMarker(sessionId);
          giveUpAt = Date.now() + this.retryForMs;
        }
        if (Date.now() > giveUpAt) {
          const now = await this.progressMarker(sessionId);
          if (now === undefined || now === progress) throw this.notProgressing(sessionId, operationId, error);
          progress = now;
          giveUpAt = Date.now() + this.retryForMs;
        }
        await sleep(Math.min(25 * 2 ** tries, 1_000) * (0.5 + Math.random()));
      }
    }
  }

  /** Where the session's history stands (its run and length), to tell a busy session from a stuck one; undefined when unknown. */
  private async progressMarker(sessionId: string): Promise<string | undefined> {
    const description = await this.describeRun(sessionId);
    return description && `${description.runId}:${description.historyLength}`;
  }

  /** Temporal's description of the session's current run, or undefined when it cannot be had. */
  private describeRun(sessionId: string): Promise<WorkflowExecutionDescription | undefined> {
    return this.track(this.temporalHandle(sessionId).describe()).catch(() => undefined);
  }

  /** The error for a call no run took within `retryForMs` although workers poll. */
  private notProgressing(sessionId: string, operationId: string | undefined, cause: unknown): BackendUnavailableError {
    const retry = operationId ? `, then retry with the same id (${operationId})` : '';
    return new BackendUnavailableError(
      `the session "${sessionId}" took no call and made no progress for ${Math.round(this.retryForMs / 1000)} s although workers poll; ` +
        `check the worker's logs (a workflow task may be failing)${retry}`,
      { cause },
    );
  }

  /** Throws WorkerUnavailableError unless a worker has polled the task queue within the last minute or so. */
  private async requireLiveWorker(sessionId: string, operationId?: string): Promise<void> {
    let live = false;
    try {
      const response = await this.temporal.workflowService.describeTaskQueue({
        namespace: this.temporal.options.namespace,
        taskQueue: { name: this.taskQueue },
        taskQueueType: 1,
      });
      const now = Date.now();
      live = (response.pollers ?? []).some((poller) => {
        const seconds = Number(poller.lastAccessTime?.seconds ?? 0);
        return now - seconds * 1000 < LIVE_POLLER_MS;
      });
    } catch (error) {
      throw await this.translate(error, sessionId);
    }
    if (live) return;
    const retry = operationId ? ` It may still run once a worker starts; retry with the same id (${operationId}) to get its outcome, never a second run.` : '';
    throw new WorkerUnavailableError(
      `no worker is polling task queue "${this.taskQueue}"; start one with \`npx agent-sessions worker\`.${retry}`,
    );
  }

  /** The library's error for an error from Temporal. */
  private async translate(error: unknown, sessionId: string): Promise<Error> {
    const failure = updateFailure(error);
    if (failure) return errorForFailure(failure.type ?? undefined, failure.message);
    if (error instanceof WorkflowExecutionAlreadyStartedError || error instanceof WorkflowNotFoundError || isNotFound(error)) {
      return this.closedSessionError(sessionId);
    }
    if (isUnavailable(error) || (error instanceof Error && error.name === 'TransportError')) {
      return new BackendUnavailableError(`Temporal is unavailable (${(error as Error).message}); check TEMPORAL_ADDRESS`, { cause: error });
    }
    if (error instanceof Error && 'kind' in error) return error;
    const missingKey = await this.missingKeyError(sessionId);
    if (missingKey) return missingKey;
    if (isQueryFailure(error)) {
      // The run could not answer: no worker holds it (the worker is down), or its workflow task fails.
      const noWorker = await this.requireLiveWorker(sessionId).then(
        () => undefined,
        (thrown: unknown) => thrown as Error,
      );
      if (noWorker) return noWorker;
      return new BackendUnavailableError(
        `the session "${sessionId}" could not answer although workers poll; check the worker's logs (a workflow task may be failing), then retry`,
        { cause: error },
      );
    }
    const message = error instanceof Error ? error.message : String(error);
    return new BackendUnavailableError(`Temporal refused the call: ${message.split('\n')[0]}`, { cause: error });
  }

  /**
   * EncryptionKeyError naming the keys the session's history was encrypted with that this client's
   * ring lacks (the worker's ring lacks them too when the operator removed them everywhere), or
   * undefined. Key ids are read from the payloads' metadata; nothing is decrypted.
   */
  private async missingKeyError(sessionId: string): Promise<EncryptionKeyError | undefined> {
    let history: unknown;
    try {
      history = await this.track(this.temporal.workflow.getHandle(sessionId).fetchHistory());
    } catch {
      return undefined;
    }
    const missing = [...keyIdsIn(history)].filter((keyId) => !this.keys?.byId.has(keyId));
    if (missing.length === 0) return undefined;
    const names = missing.map((keyId) => `"${keyId}"`).join(', ');
    return new EncryptionKeyError(
      `the session "${sessionId}" holds data encrypted with key ${names}, which AGENT_SESSIONS_ENCRYPTION_KEYS does not hold: ` +
        `add ${names} after the current key, on the worker and on this client (a session's Temporal history keeps the keys it was written with)`,
    );
  }

  /** Why a session cannot take the call: it never existed, was deleted, expired, or was closed by an operator. */
  private async closedSessionError(sessionId: string): Promise<AgentSessionsError> {
    const pool = this.pool;
    if (pool && (await isTombstoned(pool, sessionId).catch(() => false))) return deletedError(sessionId);
    const handle = this.temporal.workflow.getHandle(sessionId);
    let status: string | undefined;
    try {
      status = (await handle.describe()).status.name;
    } catch (error) {
      if (error instanceof WorkflowNotFoundError || isNotFound(error)) return new SessionNotFoundError(sessionId);
      return new BackendUnavailableError(`cannot tell what became of session "${sessionId}": ${(error as Error).message}`, { cause: error });
    }
    if (status === 'RUNNING') {
      return new BackendUnavailableError(`the session "${sessionId}" is running but did not take the call; retry with the same id`);
    }
    if (status === 'COMPLETED') {
      const end = ConversationEnd.safeParse(await handle.result().catch(() => undefined));
      if (end.success && end.data.ended === 'deleted') return deletedError(sessionId);
      if (end.success && end.data.ended === 'expired') {
        return new SessionExpiredError(
          `the session "${sessionId}" expired after its idle time-to-live; its items stay readable (history); use a new session id`,
        );
      }
    }
    return new SessionClosedError(sessionId);
  }
}

/** The error for any call on a deleted session's id. */
function deletedError(sessionId: string): SessionDeletedError {
  return new SessionDeletedError(`the session "${sessionId}" was deleted; use a new session id`);
}

/** The workflow's type, for typed start operations. */
declare function conversationType(input?: ConversationInput): Promise<ConversationEnd>;

/** A protobuf timestamp as an ISO string. */
function isoTime(timestamp: { seconds?: { toString(): string } | number | null; nanos?: number | null } | null | undefined): string | undefined {
  if (!timestamp?.seconds) return undefined;
  return new Date(Number(timestamp.seconds.toString()) * 1000 + Math.floor((timestamp.nanos ?? 0) / 1e6)).toISOString();
}

/** How long `close` waits for calls in flight before it closes the connection. */
const CLOSE_WAIT_MS = 5_000;

/** How many of the latest items `items` reads (all when absent). */
const ItemsLimit = z.number().int().positive('limit must be a positive integer').optional();

/** The offset a resumed stream continues after. */
const StreamOffset = z.number().int().nonnegative();

function checkSessionId(sessionId: unknown): string {
  return check(SessionId, sessionId, 'invalid session id');
}

/**
 * Checks a message: content parts become one user message, every item is checked as given (data URLs
 * for their type and size), no string may be a reference, at most 50 MiB of parts; then its large
 * content is replaced by references and the message checked again for its size as it will travel.
 */
function checkMessage(message: MessageInput | UserMessage): WithParts<UserMessage & { id: string }> {
  const raw: unknown = typeof message === 'string' ? { text: message } : message;
  const { value, parts } = checkWithContent(UserMessage, withPartsAsMessage(raw), 'invalid message');
  return { value: { ...value, id: value.id ?? randomUUID() }, parts };
}

/** A message whose `input` is content parts, with those parts as one user message; as it is otherwise. */
function withPartsAsMessage(message: unknown): unknown {
  if (!message || typeof message !== 'object' || !Array.isArray((message as { input?: unknown }).input)) return message;
  const input = (message as { input: unknown[] }).input;
  const isPart = (entry: unknown) => !!entry && typeof entry === 'object' && USER_PART_TYPES.includes(String((entry as { type?: unknown }).type));
  const partCount = input.filter(isPart).length;
  if (partCount === 0) return message;
  if (partCount !== input.length) {
    throw new InvalidInputError(
      'invalid message: input is either content parts (input_text, input_image, input_file) of one user message or whole items, not both',
    );
  }
  return { ...message, input: [{ type: 'message', role: 'user', content: input }] };
}

/** The size check a schema makes of the whole JSON value (which large content, before it becomes a reference, would fail). */
function isJsonSizeIssue(issue: z.core.$ZodIssue): boolean {
  return issue.code === 'custom' && / must be at most \d+ bytes as JSON$/.test(issue.message);
}

const INLINE_LIMIT_TEXT = '16 KiB';

/**
 * Checks a value that may carry large content (images, files): no string may start with the reserved
 * reference prefix; the value must pass `schema` as given (but for its JSON size); its parts together
 * at most MAX_MESSAGE_CONTENT_BYTES; then, with its large content as references, it must pass `schema`
 * whole. Returns the value with references and the parts to store.
 *
 * `document`: the value is a session document (export, fork): its items are what a session stored, so
 * a string in them that looks like a reference (a model may have said one) is stored as content, as it
 * was the first time, and its context and labels, which no read resolves, are kept as they are.
 */
function checkWithContent<Schema extends z.ZodType>(schema: Schema, value: unknown, what: string, options: { document?: boolean } = {}): WithParts<z.infer<Schema>> {
  const reserved = options.document ? undefined : reservedRefPath(value);
  if (reserved !== undefined) {
    throw new InvalidInputError(`${what}: ${reserved}: strings starting "${CONTENT_REF_PREFIX}" are reserved for content the session stores; send the image or file itself`);
  }
  const given = schema.safeParse(value);
  if (!given.success) {
    const issues = given.error.issues.filter((issue) => !isJsonSizeIssue(issue));
    if (issues.length > 0) throw new InvalidInputError(`${what}: ${describeIssues(new z.ZodError(issues))}`);
  }
  const bytes = largeContentBytes(value);
  if (bytes > MAX_MESSAGE_CONTENT_BYTES) {
    throw new InvalidInputError(`${what}: its images and files come to ${bytes} bytes, over the limit of ${MAX_MESSAGE_CONTENT_BYTES} bytes (50 MiB) in one message; send them in several`);
  }
  if (options.document && value !== null && typeof value === 'object' && 'items' in value) {
    const { value: items, parts } = withContentRefs(value.items, { produced: true });
    return { value: check(schema, { ...value, items }, what), parts };
  }
  const { value: withRefs, parts } = withContentRefs(value);
  return { value: check(schema, withRefs, what), parts };
}

function checkStart(start: StartOptions): ConversationInput {
  return check(ConversationInput.omit({ snapshot: true }).extend({ agent: AgentName.optional() }), start, 'invalid start options');
}

/** Parses a value, or throws InvalidInputError with what is wrong (never a raw ZodError). */
function check<Schema extends z.ZodType>(schema: Schema, value: unknown, what: string): z.infer<Schema> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new InvalidInputError(`${what}: ${describeIssues(parsed.error)}`);
  return parsed.data;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
