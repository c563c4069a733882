/**
 * The workflow's input: how a session starts, and the state one run carries into the next when it
 * continues as new. Everything carried is bounded in bytes whatever the session's age: item contents
 * live in Postgres; the workflow carries metadata of the model's window, a small tail of items for the
 * `getItems` query, compact outcomes of recent operations, and whatever is still queued.
 */
import { z } from 'zod';
import { CallPlan } from './activity-io';
import { ViewEntry } from './view-entry';
import { ImportArgs } from './export';
import { PendingApproval } from './approvals';
import {
  AddItemsArgs,
  FunctionCallItem,
  BoundedContext,
  CarriedContext,
  FinishReason,
  Item,
  JsonObject,
  Labels,
  LabelsPatch,
  OperationId,
  SessionItem,
  SessionSettings,
  SettingsChange,
  Usage,
  UserId,
  UserMessage,
} from './schemas';

/** An operation waiting in the session's one queue; every change to a session is one. */
export const Operation = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('message'), id: OperationId, message: UserMessage }),
  z.object({ kind: z.literal('context'), id: OperationId, patch: JsonObject }),
  z.object({ kind: z.literal('add'), id: OperationId, items: AddItemsArgs.shape.items }),
  z.object({ kind: z.literal('replaceSuffix'), id: OperationId, expectedSuffix: z.array(Item), replacement: z.array(Item) }),
  z.object({ kind: z.literal('pop'), id: OperationId }),
  z.object({ kind: z.literal('clear'), id: OperationId }),
  z.object({ kind: z.literal('compact'), id: OperationId }),
  z.object({ kind: z.literal('delete'), id: OperationId }),
  z.object({ kind: z.literal('settings'), id: OperationId, settings: SettingsChange }),
  z.object({ kind: z.literal('labels'), id: OperationId, labels: LabelsPatch.shape.labels }),
  z.object({ kind: z.literal('import'), id: OperationId, args: ImportArgs.omit({ id: true }) }),
]);
export type Operation = z.infer<typeof Operation>;

/**
 * How an operation ended, kept compactly to answer a retry: the seq range of the items it added (read
 * back from the projection), a small value, or the failure; with the fingerprint of its arguments, so
 * the same id with other arguments is refused (absent in outcomes remembered before fingerprints).
 */
export const RememberedOutcome = z.discriminatedUnion('form', [
  z.object({
    form: z.literal('items'),
    id: z.string(),
    agent: z.string(),
    usage: Usage,
    fromSeq: z.number().int().positive(),
    throughSeq: z.number().int().nonnegative(),
    /** A turn's finish reason and (when small enough to carry) its structured output, for the retry's answer. */
    finishReason: FinishReason.optional(),
    output: z.unknown().optional(),
    fingerprint: z.string().optional(),
  }),
  z.object({ form: z.literal('value'), id: z.string(), value: z.unknown(), fingerprint: z.string().optional() }),
  z.object({ form: z.literal('forgotten'), id: z.string(), fingerprint: z.string().optional() }),
  z.object({ form: z.literal('failure'), id: z.string(), type: z.string(), message: z.string(), fingerprint: z.string().optional() }),
]);
export type RememberedOutcome = z.infer<typeof RememberedOutcome>;

/** A decision taken on a pending tool call. */
export const Decision = z.object({ approved: z.boolean(), reason: z.string().optional() });
export type Decision = z.infer<typeof Decision>;

/**
 * A turn paused until humans decide on its tool calls: its draft (items, context, agent, usage, model
 * calls so far), the reply's calls still to run, what waits and what was decided. Carried across
 * continue-as-new, so an approval may take days.
 */
export const PausedTurn = z.object({
  operationId: OperationId,
  message: UserMessage,
  items: z.array(SessionItem),
  context: JsonObject,
  agent: z.string(),
  usage: Usage,
  bytes: z.number().int().nonnegative(),
  modelCalls: z.number().int().nonnegative(),
  maxCalls: z.number().int().positive(),
  calls: z.array(z.object({ call: FunctionCallItem, plan: CallPlan })),
  pending: z.array(PendingApproval),
  decisions: z.record(z.string(), Decision),
});
export type PausedTurn = z.infer<typeof PausedTurn>;

/** What one run hands the next when it continues as new. */
export const SessionSnapshot = z.object({
  context: CarriedContext,
  agent: z.string(),
  settings: SessionSettings,
  lastSeq: z.number().int().nonnegative(),
  itemCount: z.number().int().nonnegative(),
  turns: z.number().int().nonnegative(),
  usage: Usage,
  /** The user the session belongs to, if any. */
  userId: UserId.optional(),
  labels: Labels.optional(),
  /** 1 for the first run, +1 at every continue-as-new. */
  run: z.number().int().positive(),
  view: z.array(ViewEntry),
  tail: z.array(SessionItem),
  remembered: z.array(RememberedOutcome),
  queue: z.array(Operation),
  /** A turn waiting for approvals, if any. */
  paused: PausedTurn.optional(),
});
export type SessionSnapshot = z.infer<typeof SessionSnapshot>;

/**
 * How the session starts: its typed context, the agent that answers first, its settings, the user it
 * belongs to and its labels; or a carried snapshot.
 */
export const ConversationInput = z.object({
  context: BoundedContext.default({}),
  agent: z.string().optional(),
  settings: SessionSettings.optional(),
  userId: UserId.optional(),
  labels: Labels.optional(),
  snapshot: SessionSnapshot.optional(),
});
export type ConversationInput = z.input<typeof ConversationInput>;

/** How a conversation workflow ends (it runs until deleted or expired, continuing as new on the way). */
export const ConversationEnd = z.object({ ended: z.enum(['deleted', 'expired']) });
export type ConversationEnd = z.infer<typeof ConversationEnd>;
