/**
 * One session's calls, bound to its id: `sessions.session('alice:support').send('Hi')` is
 * `sessions.send('alice:support', 'Hi')`. Each call is the `SessionsClient` call of the same name
 * (same options, same errors, same idempotency); the handle holds only the client and the id.
 */
import type { CompactionResult, Item, JsonObject, Labels, SessionItem, SessionSettings, SessionSettingsInput, SessionStatus, TurnResult, UserMessage } from '../shared/schemas';
import type { SessionUsage } from '../shared/listing';
import type { ApprovalDecisionResult, PendingApproval } from '../shared/approvals';
import type { ImportResult, SessionExport } from '../shared/export';
import type { StreamEvent } from '../shared/stream';
import { checkSessionId, type MessageInput, type OperationOptions, type StartOptions } from './checks';

/**
 * The calls a handle forwards to, each with the session id first: what it needs of a `SessionsClient`,
 * which has them all. Declared here so that the handle does not import the client that makes it.
 */
export interface SessionCalls {
  send(sessionId: string, message: MessageInput | UserMessage, start?: StartOptions): Promise<TurnResult>;
  stream(sessionId: string, message: MessageInput | UserMessage, options?: StartOptions & { after?: number; signal?: AbortSignal }): AsyncGenerator<StreamEvent>;
  signal(sessionId: string, message: MessageInput | UserMessage, start?: StartOptions): Promise<string>;
  items(sessionId: string, options?: { limit?: number }): Promise<SessionItem[]>;
  workflowItems(sessionId: string, options?: { limit?: number }): Promise<SessionItem[]>;
  context(sessionId: string): Promise<JsonObject>;
  status(sessionId: string): Promise<SessionStatus>;
  usage(sessionId: string): Promise<SessionUsage>;
  addItems(sessionId: string, items: Item[], options?: OperationOptions & StartOptions): Promise<SessionItem[]>;
  replaceSuffix(sessionId: string, expectedSuffix: Item[], replacement: Item[], options?: OperationOptions): Promise<SessionItem[]>;
  popItem(sessionId: string, options?: OperationOptions): Promise<SessionItem | null>;
  clearSession(sessionId: string, options?: OperationOptions): Promise<void>;
  compact(sessionId: string, options?: OperationOptions): Promise<CompactionResult>;
  updateContext(sessionId: string, patch: JsonObject, options?: OperationOptions): Promise<JsonObject>;
  updateSettings(sessionId: string, settings: Partial<SessionSettingsInput>, options?: OperationOptions): Promise<SessionSettings>;
  updateLabels(sessionId: string, labels: Record<string, string | null>, options?: OperationOptions): Promise<Labels>;
  pendingApprovals(sessionId: string): Promise<PendingApproval[]>;
  approve(sessionId: string, callId: string, options?: OperationOptions & { reason?: string }): Promise<ApprovalDecisionResult>;
  reject(sessionId: string, callId: string, options?: OperationOptions & { reason?: string }): Promise<ApprovalDecisionResult>;
  exportSession(sessionId: string): Promise<SessionExport>;
  forkSession(from: string, to: string, options?: { turn?: number }): Promise<ImportResult>;
  deleteSession(sessionId: string, options?: OperationOptions): Promise<void>;
}

/** A session of a `SessionsClient`, by id (see `SessionsClient.session`). */
export class SessionHandle {
  /** The session id (checked when the handle is made). */
  readonly id: string;

  constructor(
    private readonly client: SessionCalls,
    sessionId: string,
  ) {
    this.id = checkSessionId(sessionId);
  }

  /** Sends a message and waits for its turn (`SessionsClient.send`). */
  send(message: MessageInput | UserMessage, start?: StartOptions): Promise<TurnResult> {
    return this.client.send(this.id, message, start);
  }

  /** Sends a message and follows its turn's events (`SessionsClient.stream`). */
  stream(message: MessageInput | UserMessage, options?: StartOptions & { after?: number; signal?: AbortSignal }): AsyncGenerator<StreamEvent> {
    return this.client.stream(this.id, message, options);
  }

  /** Sends a message without waiting; returns its id (`SessionsClient.signal`). */
  signal(message: MessageInput | UserMessage, start?: StartOptions): Promise<string> {
    return this.client.signal(this.id, message, start);
  }

  /** Every item, or the latest `limit`, from the projection (`SessionsClient.items`). */
  items(options?: { limit?: number }): Promise<SessionItem[]> {
    return this.client.items(this.id, options);
  }

  /** The latest items the workflow holds (`SessionsClient.workflowItems`). */
  workflowItems(options?: { limit?: number }): Promise<SessionItem[]> {
    return this.client.workflowItems(this.id, options);
  }

  /** The typed context (`SessionsClient.context`). */
  context(): Promise<JsonObject> {
    return this.client.context(this.id);
  }

  /** Counters, window, settings and state (`SessionsClient.status`). */
  status(): Promise<SessionStatus> {
    return this.client.status(this.id);
  }

  /** Tokens spent, per turn and in total (`SessionsClient.usage`). */
  usage(): Promise<SessionUsage> {
    return this.client.usage(this.id);
  }

  /** Appends items without a turn (`SessionsClient.addItems`). */
  addItems(items: Item[], options?: OperationOptions & StartOptions): Promise<SessionItem[]> {
    return this.client.addItems(this.id, items, options);
  }

  /** Replaces the latest items if they are `expectedSuffix` (`SessionsClient.replaceSuffix`). */
  replaceSuffix(expectedSuffix: Item[], replacement: Item[], options?: OperationOptions): Promise<SessionItem[]> {
    return this.client.replaceSuffix(this.id, expectedSuffix, replacement, options);
  }

  /** Removes and returns the latest item (`SessionsClient.popItem`). */
  popItem(options?: OperationOptions): Promise<SessionItem | null> {
    return this.client.popItem(this.id, options);
  }

  /** Removes every item (`SessionsClient.clearSession`). */
  clear(options?: OperationOptions): Promise<void> {
    return this.client.clearSession(this.id, options);
  }

  /** Summarises the older turns now (`SessionsClient.compact`). */
  compact(options?: OperationOptions): Promise<CompactionResult> {
    return this.client.compact(this.id, options);
  }

  /** Sets top-level context keys (`SessionsClient.updateContext`). */
  updateContext(patch: JsonObject, options?: OperationOptions): Promise<JsonObject> {
    return this.client.updateContext(this.id, patch, options);
  }

  /** Changes some settings (`SessionsClient.updateSettings`). */
  updateSettings(settings: Partial<SessionSettingsInput>, options?: OperationOptions): Promise<SessionSettings> {
    return this.client.updateSettings(this.id, settings, options);
  }

  /** Sets or removes labels (`SessionsClient.updateLabels`). */
  updateLabels(labels: Record<string, string | null>, options?: OperationOptions): Promise<Labels> {
    return this.client.updateLabels(this.id, labels, options);
  }

  /** The tool calls waiting for a decision (`SessionsClient.pendingApprovals`). */
  pendingApprovals(): Promise<PendingApproval[]> {
    return this.client.pendingApprovals(this.id);
  }

  /** Approves a waiting tool call (`SessionsClient.approve`). */
  approve(callId: string, options?: OperationOptions & { reason?: string }): Promise<ApprovalDecisionResult> {
    return this.client.approve(this.id, callId, options);
  }

  /** Rejects a waiting tool call (`SessionsClient.reject`). */
  reject(callId: string, options?: OperationOptions & { reason?: string }): Promise<ApprovalDecisionResult> {
    return this.client.reject(this.id, callId, options);
  }

  /** The session as a document (`SessionsClient.exportSession`). */
  export(): Promise<SessionExport> {
    return this.client.exportSession(this.id);
  }

  /** A new session `to` with this one's items up to `turn` (`SessionsClient.forkSession`). */
  fork(to: string, options?: { turn?: number }): Promise<ImportResult> {
    return this.client.forkSession(this.id, to, options);
  }

  /** Ends the session for good (`SessionsClient.deleteSession`). */
  delete(options?: OperationOptions): Promise<void> {
    return this.client.deleteSession(this.id, options);
  }
}
