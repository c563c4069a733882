/**
 * The client library: send a message and wait for the reply, signal one, run every session operation
 * (add, pop, clear, compact, delete, context, settings), and read items from the Postgres projection.
 * Reads from the projection need no Temporal at all. Every operation carries an id, so the client
 * retries Temporal's passing refusals (a run continuing as new, too many updates in flight) with the
 * same id and a caller never sees them; while the session remembers the id (its last 2,000
 * operations), a retry never runs the operation twice.
 *
 * `SessionsClient` composes small parts over one transport (`transport.ts`: updates, queries, retries,
 * error translation): messages, operations, workflow and projection reads, memories, documents and
 * retention, each in its own file. `session(id)` gives the same calls bound to one session.
 */
import { Client, Connection, type WorkflowHandle } from '@temporalio/client';
import { connectPool } from '../postgres/pool';
import type { CompactionResult, Item, JsonObject, Labels, SessionItem, SessionSettings, SessionSettingsInput, SessionStatus, TurnResult, UserMessage } from '../shared/schemas';
import { SessionId } from '../shared/schemas';
import type { SessionFilter, SessionPage, SessionUsage } from '../shared/listing';
import type { MemoryInput, MemorySelector, Memory } from '../shared/memory';
import type { ApprovalDecisionResult, PendingApproval } from '../shared/approvals';
import type { SessionExport, ImportResult } from '../shared/export';
import type { StreamEvent } from '../shared/stream';
import type { ResealCounts } from '../postgres/reseal';
import { createDataConverter } from '../codec/data-converter';
import { ContentSealer } from '../codec/content-sealer';
import { sealContentWith } from '../postgres/content-sealing';
import type { KeyRing } from '../codec/key-ring';
import { Transport, type SessionsClientOptions } from './transport';
import { RetryGate } from './retry-gate';
import { DeploymentGuard } from './deployment-guard';
import type { MessageInput, OperationOptions, StartOptions } from './checks';
import { SessionHandle } from './session-handle';
import * as messages from './messages';
import * as operations from './operations';
import * as workflowReads from './workflow-reads';
import * as projectionReads from './projection-reads';
import * as memories from './memories';
import * as documents from './documents';
import * as retention from './retention';
import { clientBacklogSource, clientHealth } from './health';
import type { HealthSource } from '../telemetry/health';
import type { BacklogSource } from '../telemetry/task-queue-backlog';
import { tracerProviderRegistered } from '../telemetry/tracing';
import { tracingClientInterceptors } from '../telemetry/client-tracing';

export { SessionId };
export { RETENTION_SCHEDULE_ID } from './retention';
export type { MessageInput, OperationOptions, StartOptions } from './checks';
export type { SessionsClientOptions } from './transport';
export { SessionHandle } from './session-handle';

/** A client for durable agent sessions. */
export class SessionsClient {
  private readonly transport: Transport;

  constructor(options: SessionsClientOptions) {
    this.transport = new Transport(options);
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
    /** The Postgres schema of the tables: `AGENT_SESSIONS_DB_SCHEMA`, else `agent_sessions`. */
    databaseSchema?: string;
    taskQueue?: string;
    workerWaitMs?: number;
    /** The keys the worker encrypts payloads with (`parseKeyRing`); required when it encrypts. */
    encryptionKeys?: KeyRing;
    /**
     * Seals what this client stores in the projection until the deployment's setting is read (a worker
     * records it at start); from then on the setting decides, whoever writes.
     */
    encryptProjection?: boolean;
    /**
     * Whether calls carry the caller's OpenTelemetry trace into the session (Temporal's interceptors),
     * so a message's model and tool calls join the trace of the request that sent it. On when the
     * process has a tracer provider (`startTracing`, or the application's own OpenTelemetry SDK).
     */
    tracing?: boolean;
  }): Promise<SessionsClient> {
    const sealer = new ContentSealer(options.encryptionKeys, options.encryptProjection ?? false);
    const retries = new RetryGate();
    const connection = Connection.lazy({ address: options.temporalAddress ?? 'localhost:7233', connectTimeout: '5 seconds', interceptors: [retries.interceptor()] });
    const pool = options.databaseUrl ? connectPool(options.databaseUrl, { max: 4, schema: options.databaseSchema }) : undefined;
    if (pool) sealContentWith(pool, sealer);
    return new SessionsClient({
      temporal: new Client({
        connection,
        namespace: options.namespace ?? 'default',
        dataConverter: createDataConverter(options.encryptionKeys),
        interceptors: (options.tracing ?? tracerProviderRegistered()) ? tracingClientInterceptors() : {},
      }),
      pool,
      taskQueue: options.taskQueue,
      workerWaitMs: options.workerWaitMs,
      encryptionKeys: options.encryptionKeys,
      guard: new DeploymentGuard(pool, options.encryptionKeys, options.encryptProjection ?? false),
      retries,
    });
  }

  /**
   * The calls of one session, bound to its id: `sessions.session('alice:support').send('Hi')`. The id is
   * checked here (InvalidInputError); the handle holds nothing else, so make one whenever it reads better.
   */
  session(sessionId: string): SessionHandle {
    return new SessionHandle(this, sessionId);
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
    return messages.send(this.transport, sessionId, message, start);
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
  stream(sessionId: string, message: MessageInput | UserMessage, options: StartOptions & { after?: number; signal?: AbortSignal } = {}): AsyncGenerator<StreamEvent> {
    return messages.stream(this.transport, sessionId, message, options);
  }

  /** Sends a message without waiting (fire and forget); returns the message id. */
  async signal(sessionId: string, message: MessageInput | UserMessage, start: StartOptions = {}): Promise<string> {
    return messages.signal(this.transport, sessionId, message, start);
  }

  /**
   * Appends items without a turn (a tool call and its output together); returns them with their seqs.
   * Starts the session when it does not exist yet (with `start`).
   */
  async addItems(sessionId: string, items: Item[], options: OperationOptions & StartOptions = {}): Promise<SessionItem[]> {
    return operations.addItems(this.transport, sessionId, items, options);
  }

  /**
   * Replaces the session's latest items with `replacement` if they equal `expectedSuffix`, in one
   * operation (idempotent by id); otherwise refuses with InvalidInputError and changes nothing.
   */
  async replaceSuffix(sessionId: string, expectedSuffix: Item[], replacement: Item[], options: OperationOptions = {}): Promise<SessionItem[]> {
    return operations.replaceSuffix(this.transport, sessionId, expectedSuffix, replacement, options);
  }

  /**
   * Removes and returns the latest item (a tool output takes its call with it); null when empty. The
   * images and files it carried stay stored until the session is deleted (they are stored by content,
   * so another item may share them).
   */
  async popItem(sessionId: string, options: OperationOptions = {}): Promise<SessionItem | null> {
    return operations.popItem(this.transport, sessionId, options);
  }

  /** Removes every item; the session, its context and settings stay (stored images and files stay until the session is deleted). */
  async clearSession(sessionId: string, options: OperationOptions = {}): Promise<void> {
    return operations.clearSession(this.transport, sessionId, options);
  }

  /** Summarises the older turns of the model's window now; null when there was nothing old enough. */
  async compact(sessionId: string, options: OperationOptions = {}): Promise<CompactionResult> {
    return operations.compact(this.transport, sessionId, options);
  }

  /**
   * Ends the session and removes its rows and stored images and files, leaving only its tombstone; its
   * executions are deleted from Temporal once its run has closed (within seconds). The id can never
   * start a session again.
   */
  async deleteSession(sessionId: string, options: OperationOptions = {}): Promise<void> {
    return operations.deleteSession(this.transport, sessionId, options);
  }

  /** Sets top-level keys of the session's context, in turn with its other operations; returns the new context. */
  async updateContext(sessionId: string, patch: JsonObject, options: OperationOptions = {}): Promise<JsonObject> {
    return operations.updateContext(this.transport, sessionId, patch, options);
  }

  /** Changes some of the session's settings; returns them all. */
  async updateSettings(sessionId: string, settings: Partial<SessionSettingsInput>, options: OperationOptions = {}): Promise<SessionSettings> {
    return operations.updateSettings(this.transport, sessionId, settings, options);
  }

  /**
   * The session as a versioned JSON document: items, context, settings, labels, user, usage and the
   * model's window. Reads the workflow and the projection, again if a write lands in between.
   */
  async exportSession(sessionId: string): Promise<SessionExport> {
    return documents.exportSession(this.transport, sessionId);
  }

  /**
   * Creates the session `sessionId` from a document `exportSession` wrote: the same items (seqs,
   * agents, times), context, settings, labels, user, usage and window. The id must be new.
   */
  async importSession(sessionId: string, document: SessionExport): Promise<ImportResult> {
    return documents.importSession(this.transport, sessionId, document);
  }

  /** A new session `to` with the items of `from` up to its turn `turn` (all of them when absent), its context, settings, labels and user. */
  async forkSession(from: string, to: string, options: { turn?: number } = {}): Promise<ImportResult> {
    return documents.forkSession(this.transport, from, to, options);
  }

  /** The tool calls of the session that wait for a human's decision (the turn that made them is paused). */
  async pendingApprovals(sessionId: string): Promise<PendingApproval[]> {
    return workflowReads.pendingApprovals(this.transport, sessionId);
  }

  /** Approves a waiting tool call: it runs when every call its turn waits on is decided. */
  async approve(sessionId: string, callId: string, options: OperationOptions & { reason?: string } = {}): Promise<ApprovalDecisionResult> {
    return operations.decide(this.transport, sessionId, callId, true, options);
  }

  /** Rejects a waiting tool call: the model reads the rejection (and the reason) as the tool's output. */
  async reject(sessionId: string, callId: string, options: OperationOptions & { reason?: string } = {}): Promise<ApprovalDecisionResult> {
    return operations.decide(this.transport, sessionId, callId, false, options);
  }

  /** Sets labels (a null value removes one), in turn with the session's other operations; returns them all. */
  async updateLabels(sessionId: string, labels: Record<string, string | null>, options: OperationOptions = {}): Promise<Labels> {
    return operations.updateLabels(this.transport, sessionId, labels, options);
  }

  /**
   * A page of sessions from the projection, most recently changed first, by id prefix, user, labels
   * (all must match) and last change; pass the page's `next` as `cursor` for the page after it.
   */
  async list(filter: SessionFilter = {}): Promise<SessionPage> {
    return projectionReads.list(this.transport, filter);
  }

  /** The tokens the session spent, per turn (and per compaction), with the total; from the projection. */
  async usage(sessionId: string): Promise<SessionUsage> {
    return projectionReads.usage(this.transport, sessionId);
  }

  /** A user's long-term memories, most recently changed first (at most `limit`, 100 when absent). */
  async listMemories(userId: string, options: { limit?: number } = {}): Promise<Memory[]> {
    return memories.listMemories(this.transport, userId, options);
  }

  /** Stores a fact in a user's memory (a fact with a key replaces the user's earlier one with that key). */
  async addMemory(userId: string, memory: MemoryInput, options: { sourceSession?: string } = {}): Promise<Memory> {
    return memories.addMemory(this.transport, userId, memory, options);
  }

  /** Forgets one of a user's memories, by id or key; the memory removed, or undefined when none matched. */
  async deleteMemory(userId: string, which: MemorySelector): Promise<Memory | undefined> {
    return memories.deleteMemory(this.transport, userId, which);
  }

  /**
   * The latest `limit` items (all when absent) in chronological order, from the projection: every
   * item the session ever kept, readable while Temporal is down.
   */
  async items(sessionId: string, options: { limit?: number } = {}): Promise<SessionItem[]> {
    return projectionReads.items(this.transport, sessionId, options);
  }

  /** The latest items the workflow holds in memory (at most 50): for checking the projection against. Large content is read back from Postgres when connected. */
  async workflowItems(sessionId: string, options: { limit?: number } = {}): Promise<SessionItem[]> {
    return workflowReads.workflowItems(this.transport, sessionId, options);
  }

  /** The session's typed context. */
  async context(sessionId: string): Promise<JsonObject> {
    return workflowReads.context(this.transport, sessionId);
  }

  /** The session's counters, window, settings and state. */
  async status(sessionId: string): Promise<SessionStatus> {
    return workflowReads.status(this.transport, sessionId);
  }

  /**
   * Deletes every session last changed more than `olderThanDays` days ago (one pass of the
   * `retention` workflow on the worker); returns how many it deleted.
   */
  async applyRetention(options: { olderThanDays: number }): Promise<{ deleted: number }> {
    return retention.applyRetention(this.transport, options);
  }

  /** Makes a Temporal Schedule run the retention pass every `everyHours` hours (24 by default); returns its id. */
  async scheduleRetention(options: { olderThanDays: number; everyHours?: number }): Promise<string> {
    return retention.scheduleRetention(this.transport, options);
  }

  /**
   * Rewrites the projection's rows under the current key (the first of `encryptionKeys`): rows sealed
   * with an older key, and plain rows when the deployment seals (its recorded setting, else this
   * client's `encryptProjection`). Run it after a rotation, before removing the old key. Idempotent,
   * in batches; returns how many rows of each table it rewrote. Needs Postgres and the keys.
   */
  async reseal(options: { onTable?: (table: string, rows: number) => void } = {}): Promise<ResealCounts> {
    return retention.reseal(this.transport, options);
  }

  /** The session's Temporal workflow handle, for what this client does not wrap. */
  temporalHandle(sessionId: string): WorkflowHandle {
    return this.transport.handle(sessionId);
  }

  /**
   * What probes ask of a process serving this client: `ready()` when Temporal answers through this
   * client and Postgres answers with every migration applied, `live()` always; each a report naming
   * what failed.
   */
  health(): HealthSource {
    return clientHealth(this.transport);
  }

  /** The task queue this client sends to, where the backlog metric reads it (`registerBacklogSource`). */
  backlogSource(): BacklogSource {
    return clientBacklogSource(this.transport);
  }

  /** Closes the connections this client opened. */
  async close(): Promise<void> {
    return this.transport.close();
  }
}
