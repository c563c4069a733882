/**
 * The conversation workflow's wire contract: type, signal, update and query names. These names are
 * recorded in every history; they never change (the replay tests guard them).
 */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { ApprovalDecisionArgs, ApprovalDecisionResult, PendingApproval } from './approvals';
import type { ImportArgs, ImportResult } from './export';
import type {
  AddItemsArgs,
  CompactionResult,
  ContextPatch,
  GetItemsArgs,
  JsonObject,
  Labels,
  LabelsPatch,
  OperationArgs,
  ReplaceSuffixArgs,
  SessionItem,
  SessionSettings,
  SessionStatus,
  SettingsPatch,
  TurnResult,
  UserMessage,
} from './schemas';

/** The workflow type of a conversation. */
export const CONVERSATION_WORKFLOW_TYPE = 'conversation';

/** The workflow type the retention schedule starts. */
export const RETENTION_WORKFLOW_TYPE = 'retention';

/** The task queue workers poll unless told otherwise. */
export const DEFAULT_TASK_QUEUE = 'agent-sessions';

/** A user message, fire and forget. */
export const userMessageSignal = defineSignal<[UserMessage]>('userMessage');

/** A user message whose caller waits for the turn's result. */
export const sendMessageUpdate = defineUpdate<TurnResult, [UserMessage]>('sendMessage');

/** Sets top-level keys of the context (shallow merge), in turn with every other operation; returns the new context. */
export const updateContextUpdate = defineUpdate<JsonObject, [ContextPatch]>('updateContext');

/** Appends items without a turn; returns them with their seq numbers. */
export const addItemsUpdate = defineUpdate<SessionItem[], [AddItemsArgs]>('addItems');

/** Replaces the latest items, if they equal the expected ones, in one operation; returns the new items. */
export const replaceSuffixUpdate = defineUpdate<SessionItem[], [ReplaceSuffixArgs]>('replaceSuffix');

/** Removes and returns the latest item (with its tool-call partner), or null when the session is empty. */
export const popItemUpdate = defineUpdate<SessionItem | null, [OperationArgs]>('popItem');

/** Removes every item; the session, its context and its seq counter stay. */
export const clearSessionUpdate = defineUpdate<null, [OperationArgs]>('clearSession');

/** Replaces the older turns of the model's view with a summary item. */
export const compactUpdate = defineUpdate<CompactionResult, [OperationArgs]>('compact');

/** Ends the session and removes its rows from the projection; the id is never reused. */
export const deleteSessionUpdate = defineUpdate<null, [OperationArgs]>('deleteSession');

/** Changes some of the session's settings; returns them all. */
export const updateSettingsUpdate = defineUpdate<SessionSettings, [SettingsPatch]>('updateSettings');

/**
 * Approves or rejects a tool call that waits for a human (outside the queue: the paused turn holds
 * it); the turn resumes once every call it waits on is decided.
 */
export const decideApprovalUpdate = defineUpdate<ApprovalDecisionResult, [ApprovalDecisionArgs]>('decideApproval');

/** The tool calls that wait for a human's decision. */
export const getPendingApprovalsQuery = defineQuery<PendingApproval[]>('getPendingApprovals');

/** Fills a new, empty session with a staged session document (import, fork). */
export const importSessionUpdate = defineUpdate<ImportResult, [ImportArgs]>('importSession');

/** The seqs of the items the model sees, in the order it sees them. */
export const getWindowQuery = defineQuery<number[]>('getWindow');

/** Sets (or, with null, removes) some of the session's labels; returns them all. */
export const updateLabelsUpdate = defineUpdate<Labels, [LabelsPatch]>('updateLabels');

/**
 * The latest N items in chronological order, from workflow memory: at most the latest 50 items
 * (128 KiB). The projection holds every item; read full history with `SessionsClient.items`.
 */
export const getItemsQuery = defineQuery<SessionItem[], [GetItemsArgs?]>('getItems');

/** The session's typed context. */
export const getContextQuery = defineQuery<JsonObject>('getContext');

/** Counters and state of the session. */
export const getStatusQuery = defineQuery<SessionStatus>('getStatus');
