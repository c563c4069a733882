/**
 * The session's operations other than messages: items added, a suffix replaced, pop, clear, compact,
 * delete, context, settings, labels and approval decisions. Each is an update that runs in the
 * session's one queue, carries an operation id (made when absent) and is answered once per id.
 */
import { randomUUID } from 'node:crypto';
import type { UpdateDefinition } from '@temporalio/common';
import type { z } from 'zod';
import {
  addItemsUpdate,
  clearSessionUpdate,
  compactUpdate,
  decideApprovalUpdate,
  deleteSessionUpdate,
  popItemUpdate,
  replaceSuffixUpdate,
  updateContextUpdate,
  updateLabelsUpdate,
  updateSettingsUpdate,
} from '../shared/messages';
import {
  AddItemsArgs,
  ContextPatch,
  type CompactionResult,
  type Item,
  type JsonObject,
  type Labels,
  LabelsPatch,
  OperationId,
  ReplaceSuffixArgs,
  type SessionItem,
  type SessionSettings,
  type SessionSettingsInput,
  SettingsPatch,
} from '../shared/schemas';
import { ApprovalDecisionArgs, type ApprovalDecisionResult } from '../shared/approvals';
import { SessionExpiredError } from '../shared/errors';
import { endSessionRows } from '../postgres/sessions';
import { withContentRefs } from '../postgres/content-parts';
import { deleteSessionExecutions } from '../activities/executions';
import { check, checkSessionId, checkStart, checkWithContent, type OperationOptions, type StartOptions } from './checks';
import type { Transport } from './transport';

/** Appends items without a turn, starting the session when it does not exist yet; returns them with their seqs. */
export async function addItems(transport: Transport, sessionId: string, items: Item[], options: OperationOptions & StartOptions): Promise<SessionItem[]> {
  const id = checkSessionId(sessionId);
  const { value: args, parts } = checkWithContent(AddItemsArgs, { items, id: options.id ?? randomUUID() }, 'invalid items');
  const { id: _operationId, ...start } = options;
  const startArgs = checkStart(start);
  await transport.refuseDeleted(id);
  await transport.storeParts(id, parts);
  return transport.resolved(id, await transport.update(id, addItemsUpdate, args, args.id as string, transport.startOperation(id, startArgs)));
}

/** Replaces the latest items with `replacement` if they equal `expectedSuffix`, in one operation. */
export async function replaceSuffix(transport: Transport, sessionId: string, expectedSuffix: Item[], replacement: Item[], options: OperationOptions): Promise<SessionItem[]> {
  const id = checkSessionId(sessionId);
  const { value: args } = checkWithContent(ReplaceSuffixArgs, { expectedSuffix, replacement, id: options.id ?? randomUUID() }, 'invalid replacement');
  // The session holds references: the expected suffix is compared by reference; only the replacement's content is stored.
  await transport.storeParts(id, withContentRefs(replacement).parts);
  return transport.resolved(id, await transport.update(id, replaceSuffixUpdate, args, args.id as string));
}

/** Removes and returns the latest item (a tool output takes its call with it); null when empty. */
export async function popItem(transport: Transport, sessionId: string, options: OperationOptions): Promise<SessionItem | null> {
  return transport.resolved(sessionId, await idOnly(transport, sessionId, popItemUpdate, options));
}

/** Removes every item; the session, its context and settings stay. */
export async function clearSession(transport: Transport, sessionId: string, options: OperationOptions): Promise<void> {
  await idOnly(transport, sessionId, clearSessionUpdate, options);
}

/** Summarises the older turns of the model's window now; null when there was nothing old enough. */
export async function compact(transport: Transport, sessionId: string, options: OperationOptions): Promise<CompactionResult> {
  return idOnly(transport, sessionId, compactUpdate, options);
}

/** Ends the session and removes its rows, parts and (once its run has closed) its Temporal executions. */
export async function deleteSession(transport: Transport, sessionId: string, options: OperationOptions): Promise<void> {
  try {
    await idOnly(transport, sessionId, deleteSessionUpdate, options);
  } catch (error) {
    if (!(error instanceof SessionExpiredError)) throw error;
    // An expired session's run has closed already: delete its rows and its executions here.
    const id = checkSessionId(sessionId);
    await transport.read(() => endSessionRows(transport.requirePool(), id, 'deleted'));
    await transport.track(deleteSessionExecutions(transport.temporal, id)).catch(async (thrown: unknown) => {
      throw await transport.translate(thrown, id);
    });
  }
}

/** Sets top-level keys of the session's context; returns the new context. */
export async function updateContext(transport: Transport, sessionId: string, patch: JsonObject, options: OperationOptions): Promise<JsonObject> {
  return withArgs(transport, sessionId, updateContextUpdate, ContextPatch, { patch }, options, 'invalid context patch');
}

/** Changes some of the session's settings; returns them all. */
export async function updateSettings(transport: Transport, sessionId: string, settings: Partial<SessionSettingsInput>, options: OperationOptions): Promise<SessionSettings> {
  return withArgs(transport, sessionId, updateSettingsUpdate, SettingsPatch, { settings }, options, 'invalid settings');
}

/** Sets labels (a null value removes one); returns them all. */
export async function updateLabels(transport: Transport, sessionId: string, labels: Record<string, string | null>, options: OperationOptions): Promise<Labels> {
  return withArgs(transport, sessionId, updateLabelsUpdate, LabelsPatch, { labels }, options, 'invalid labels');
}

/** Approves (`approved`) or rejects a tool call that waits for a human's decision. */
export async function decide(
  transport: Transport,
  sessionId: string,
  callId: string,
  approved: boolean,
  options: OperationOptions & { reason?: string },
): Promise<ApprovalDecisionResult> {
  return withArgs(transport, sessionId, decideApprovalUpdate, ApprovalDecisionArgs, { callId, approved, reason: options.reason }, options, 'invalid decision');
}

/** An operation whose only argument is its id. */
function idOnly<Result>(transport: Transport, sessionId: string, update: UpdateDefinition<Result, [{ id?: string }]>, options: OperationOptions): Promise<Result> {
  const id = checkSessionId(sessionId);
  const operationId = check(OperationId, options.id ?? randomUUID(), 'invalid id');
  return transport.update(id, update, { id: operationId }, operationId);
}

/** An operation whose arguments are `fields` and its id, checked against `schema` (`what` names them in the error). */
function withArgs<Result, Schema extends z.ZodType<{ id?: string }>>(
  transport: Transport,
  sessionId: string,
  update: UpdateDefinition<Result, [z.infer<Schema>]>,
  schema: Schema,
  fields: object,
  options: OperationOptions,
  what: string,
): Promise<Result> {
  const id = checkSessionId(sessionId);
  const args = check(schema, { ...fields, id: options.id ?? randomUUID() }, what);
  return transport.update(id, update, args, args.id as string);
}
