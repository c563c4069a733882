/**
 * The conversation workflow's wire contract: type, signal, update and query names. These names are
 * recorded in every history; they never change (the replay tests guard them).
 */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { ContextPatch, GetItemsArgs, JsonObject, SessionItem, SessionStatus, TurnResult, UserMessage } from './schemas';

/** The workflow type of a conversation. */
export const CONVERSATION_WORKFLOW_TYPE = 'conversation';

/** The task queue workers poll unless told otherwise. */
export const DEFAULT_TASK_QUEUE = 'agent-sessions';

/** A user message, fire and forget. */
export const userMessageSignal = defineSignal<[UserMessage]>('userMessage');

/** A user message whose caller waits for the turn's result. */
export const sendMessageUpdate = defineUpdate<TurnResult, [UserMessage]>('sendMessage');

/** Sets top-level keys of the context (shallow merge); returns the new context. */
export const updateContextUpdate = defineUpdate<JsonObject, [ContextPatch]>('updateContext');

/** The latest N items in chronological order, or all of them. */
export const getItemsQuery = defineQuery<SessionItem[], [GetItemsArgs?]>('getItems');

/** The session's typed context. */
export const getContextQuery = defineQuery<JsonObject>('getContext');

/** Counters and state of the session. */
export const getStatusQuery = defineQuery<SessionStatus>('getStatus');
