/**
 * The client library: send a message and wait for the reply, signal one, read items from the
 * Postgres projection, read and change the context, read the status.
 */
import { randomUUID } from 'node:crypto';
import {
  Client,
  Connection,
  WithStartWorkflowOperation,
  WorkflowExecutionAlreadyStartedError,
  type WorkflowHandle,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
} from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { Pool } from 'pg';
import { z } from 'zod';
import { readLatestItems } from '../postgres/items';
import {
  CONVERSATION_WORKFLOW_TYPE,
  DEFAULT_TASK_QUEUE,
  getContextQuery,
  getItemsQuery,
  getStatusQuery,
  sendMessageUpdate,
  updateContextUpdate,
  userMessageSignal,
} from '../shared/messages';
import { FailureType } from '../shared/failures';
import {
  ConversationInput,
  describeIssues,
  JsonObject,
  type SessionItem,
  type SessionStatus,
  type TurnResult,
  UserMessage,
} from '../shared/schemas';
import {
  BackendUnavailableError,
  InvalidInputError,
  SessionClosedError,
  SessionNotFoundError,
  TurnFailedError,
} from './errors';

/** A session id: any non-blank string without whitespace, up to 200 characters (e.g. "alice:support"). */
export const SessionId = z
  .string()
  .min(1, 'a session id must not be empty')
  .max(200, 'a session id must be at most 200 characters')
  .regex(/^\S+$/, 'a session id must not contain whitespace');
export type SessionId = z.infer<typeof SessionId>;

/** How a new session starts, when a message is the first one. */
export interface StartOptions {
  /** The typed context a new session starts with (ignored when the session exists). */
  context?: JsonObject;
  /** The agent that answers first in a new session. */
  agent?: string;
}

/** Where the client connects. */
export interface SessionsClientOptions {
  temporal: Client;
  /** Postgres with the projection; needed by `items`. */
  pool?: Pool;
  taskQueue?: string;
}

/** A client for durable agent sessions. */
export class SessionsClient {
  private readonly temporal: Client;
  private readonly pool?: Pool;
  private readonly taskQueue: string;

  constructor(options: SessionsClientOptions) {
    this.temporal = options.temporal;
    this.pool = options.pool;
    this.taskQueue = options.taskQueue ?? DEFAULT_TASK_QUEUE;
  }

  /** Connects to Temporal (and Postgres, when a URL is given). Close with `close()`. */
  static async connect(options: {
    temporalAddress: string;
    namespace?: string;
    databaseUrl?: string;
    taskQueue?: string;
  }): Promise<SessionsClient> {
    let connection: Connection;
    try {
      connection = await Connection.connect({ address: options.temporalAddress, connectTimeout: '5 seconds' });
    } catch (error) {
      throw new BackendUnavailableError(
        `cannot reach Temporal at ${options.temporalAddress} (${(error as Error).message}); ` +
          'is the server running? Start one with `npx agent-sessions dev`',
        { cause: error },
      );
    }
    return new SessionsClient({
      temporal: new Client({ connection, namespace: options.namespace ?? 'default' }),
      pool: options.databaseUrl ? new Pool({ connectionString: options.databaseUrl, max: 2 }) : undefined,
      taskQueue: options.taskQueue,
    });
  }

  /** Sends a message and waits for its turn's result; the first message starts the session. */
  async send(sessionId: string, message: string | UserMessage, start: StartOptions = {}): Promise<TurnResult> {
    const id = SessionId.parse(sessionId);
    const checked = this.checkMessage(message);
    const startWorkflowOperation = new WithStartWorkflowOperation(CONVERSATION_WORKFLOW_TYPE, {
      workflowId: id,
      taskQueue: this.taskQueue,
      args: [this.checkStart(start)],
      workflowIdConflictPolicy: 'USE_EXISTING',
      workflowIdReusePolicy: 'REJECT_DUPLICATE',
    });
    try {
      return await this.temporal.workflow.executeUpdateWithStart(sendMessageUpdate, {
        args: [checked],
        updateId: checked.id,
        startWorkflowOperation,
      });
    } catch (error) {
      throw translate(error, id);
    }
  }

  /** Sends a message without waiting (fire and forget); returns the message id. */
  async signal(sessionId: string, message: string | UserMessage, start: StartOptions = {}): Promise<string> {
    const id = SessionId.parse(sessionId);
    const checked = this.checkMessage(message);
    try {
      await this.temporal.workflow.signalWithStart(CONVERSATION_WORKFLOW_TYPE, {
        workflowId: id,
        taskQueue: this.taskQueue,
        args: [this.checkStart(start)],
        signal: userMessageSignal,
        signalArgs: [checked],
        workflowIdReusePolicy: 'REJECT_DUPLICATE',
      });
    } catch (error) {
      throw translate(error, id);
    }
    return checked.id;
  }

  /** The latest `limit` items (all when absent) in chronological order, read from the projection. */
  async items(sessionId: string, options: { limit?: number } = {}): Promise<SessionItem[]> {
    const id = SessionId.parse(sessionId);
    const limit = z.number().int().positive('limit must be a positive integer').optional().parse(options.limit);
    if (!this.pool) throw new InvalidInputError('reading items needs Postgres: connect with a databaseUrl');
    try {
      return await readLatestItems(this.pool, id, limit);
    } catch (error) {
      throw new BackendUnavailableError(`cannot read the projection: ${(error as Error).message}; check DATABASE_URL`, {
        cause: error,
      });
    }
  }

  /** The items as the workflow holds them (the source of truth the projection mirrors). */
  async workflowItems(sessionId: string, options: { limit?: number } = {}): Promise<SessionItem[]> {
    return this.query(sessionId, (handle) => handle.query(getItemsQuery, options));
  }

  /** The session's typed context. */
  async context(sessionId: string): Promise<JsonObject> {
    return this.query(sessionId, (handle) => handle.query(getContextQuery));
  }

  /** Sets top-level keys of the session's context; returns the new context. */
  async updateContext(sessionId: string, patch: JsonObject): Promise<JsonObject> {
    const checked = JsonObject.safeParse(patch);
    if (!checked.success) throw new InvalidInputError(`invalid context patch: ${describeIssues(checked.error)}`);
    return this.query(sessionId, (handle) => handle.executeUpdate(updateContextUpdate, { args: [{ patch: checked.data }] }));
  }

  /** The session's counters and state. */
  async status(sessionId: string): Promise<SessionStatus> {
    return this.query(sessionId, (handle) => handle.query(getStatusQuery));
  }

  /** The session's Temporal workflow handle, for what this client does not wrap. */
  temporalHandle(sessionId: string): WorkflowHandle {
    return this.temporal.workflow.getHandle(SessionId.parse(sessionId));
  }

  /** Closes the connections this client opened. */
  async close(): Promise<void> {
    await this.pool?.end();
    await this.temporal.connection.close();
  }

  private async query<T>(sessionId: string, read: (handle: WorkflowHandle) => Promise<T>): Promise<T> {
    const handle = this.temporalHandle(sessionId);
    try {
      return await read(handle);
    } catch (error) {
      throw translate(error, handle.workflowId);
    }
  }

  private checkMessage(message: string | UserMessage): UserMessage & { id: string } {
    const candidate = typeof message === 'string' ? { text: message } : message;
    const parsed = UserMessage.safeParse(candidate);
    if (!parsed.success) throw new InvalidInputError(`invalid message: ${describeIssues(parsed.error)}`);
    return { ...parsed.data, id: parsed.data.id ?? randomUUID() };
  }

  private checkStart(start: StartOptions): ConversationInput {
    const parsed = ConversationInput.safeParse(start);
    if (!parsed.success) throw new InvalidInputError(`invalid start options: ${describeIssues(parsed.error)}`);
    return parsed.data;
  }
}

/** The library's error for an error from Temporal. */
function translate(error: unknown, sessionId: string): Error {
  if (error instanceof WorkflowNotFoundError) return new SessionNotFoundError(sessionId);
  if (error instanceof WorkflowExecutionAlreadyStartedError) return new SessionClosedError(sessionId);
  if (error instanceof WorkflowUpdateFailedError && error.cause instanceof ApplicationFailure) {
    const { type, message } = error.cause;
    if (type === FailureType.InvalidInput) return new InvalidInputError(message);
    return new TurnFailedError(type ?? FailureType.TurnFailed, message);
  }
  if (error instanceof Error && /UNAVAILABLE|ECONNREFUSED|connect/i.test(error.message)) {
    return new BackendUnavailableError(`Temporal is unavailable (${error.message}); check TEMPORAL_ADDRESS`, { cause: error });
  }
  return error instanceof Error ? error : new Error(String(error));
}
