/**
 * The `conversation` workflow: one per session, id = session id, alive for the session's whole life.
 * Every change to the session (messages, context patches, added items, pop, clear, compaction,
 * settings, delete) is an operation in one queue, run one at a time in arrival order. The run
 * continues as new before any Temporal limit can bite: it stops taking updates, drains the queue,
 * waits for every handler, and carries a bounded snapshot. It ends only when deleted or expired.
 */
import {
  allHandlersFinished,
  ApplicationFailure,
  condition,
  continueAsNew,
  currentUpdateInfo,
  log,
  setHandler,
  uuid4,
  workflowInfo,
} from '@temporalio/workflow';
import type { UpdateDefinition } from '@temporalio/common';
import type { z } from 'zod';
import { FailureType } from '../shared/failures';
import { MAX_QUEUED_WHILE_PAUSED } from '../shared/limits';
import {
  addItemsUpdate,
  clearSessionUpdate,
  compactUpdate,
  decideApprovalUpdate,
  deleteSessionUpdate,
  getPendingApprovalsQuery,
  getContextQuery,
  getItemsQuery,
  getStatusQuery,
  getWindowQuery,
  importSessionUpdate,
  popItemUpdate,
  replaceSuffixUpdate,
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
  LabelsPatch,
  OperationArgs,
  ReplaceSuffixArgs,
  SessionSettings,
  SettingsPatch,
  UserMessage,
  type SessionItem,
  type SessionStatus,
  markedIfEmpty,
} from '../shared/schemas';
import { ApprovalDecisionArgs } from '../shared/approvals';
import { ImportArgs } from '../shared/export';
import { ConversationInput, type ConversationEnd, type Operation, type RememberedOutcome } from '../shared/session-snapshot';
import { withheldSecrets } from '../shared/secrets';
import { projection } from './activity-stubs';
import { replyText } from './agent-loop';
import { decisionFingerprint, operationFingerprint } from './fingerprint';
import { runOperation } from './operations';
import { SessionState } from './session-state';

/** Runs a session until it is deleted or expires. */
export async function conversation(input?: ConversationInput): Promise<ConversationEnd> {
  const state = startingState(input);

  setHandler(userMessageSignal, (raw) => {
    const parsed = UserMessage.safeParse(raw);
    if (!parsed.success) {
      log.warn('dropped a userMessage signal with bad input', { sessionId: state.sessionId, reason: describeIssues(parsed.error) });
      return;
    }
    const operation: Operation = { kind: 'message', id: parsed.data.id ?? uuid4(), message: parsed.data };
    if (state.reusedId(operation.id, operationFingerprint(operation))) {
      log.warn('dropped a userMessage signal: its id names another operation of this session; use a new id', {
        sessionId: state.sessionId,
        messageId: operation.id,
      });
      return;
    }
    if (!state.knows(operation.id) && !state.enqueueSignal(operation)) {
      log.warn('dropped a userMessage signal: the queue of signalled messages is full; send with an update to wait instead', {
        sessionId: state.sessionId,
        messageId: operation.id,
      });
    }
  });

  const register = operationRegistrar(state);
  register(sendMessageUpdate, UserMessage, (message, id) => ({ kind: 'message', id, message }), (outcome, items) =>
    markedIfEmpty({
      messageId: outcome.id,
      reply: replyText(items.map((entry) => entry.item)),
      agent: outcome.agent,
      items,
      usage: outcome.usage,
      ...(outcome.output !== undefined ? { output: outcome.output } : {}),
      ...(outcome.finishReason ? { finishReason: outcome.finishReason } : {}),
    }),
  );
  register(updateContextUpdate, ContextPatch, (args, id) => ({ kind: 'context', id, patch: args.patch }));
  register(addItemsUpdate, AddItemsArgs, (args, id) => ({ kind: 'add', id, items: args.items }), (_outcome, items) => items);
  register(replaceSuffixUpdate, ReplaceSuffixArgs, (args, id) => ({ kind: 'replaceSuffix', id, expectedSuffix: args.expectedSuffix, replacement: args.replacement }), (_outcome, items) => items);
  register(popItemUpdate, OperationArgs, (_args, id) => ({ kind: 'pop', id }));
  register(clearSessionUpdate, OperationArgs, (_args, id) => ({ kind: 'clear', id }));
  register(compactUpdate, OperationArgs, (_args, id) => ({ kind: 'compact', id }));
  register(deleteSessionUpdate, OperationArgs, (_args, id) => ({ kind: 'delete', id }));
  register(updateSettingsUpdate, SettingsPatch, (args, id) => ({ kind: 'settings', id, settings: args.settings }));
  register(updateLabelsUpdate, LabelsPatch, (args, id) => ({ kind: 'labels', id, labels: args.labels }));
  register(importSessionUpdate, ImportArgs, ({ id: _id, ...args }, id) => ({ kind: 'import', id, args }));

  setHandler(
    decideApprovalUpdate,
    async (raw) => {
      const decision = ApprovalDecisionArgs.parse(raw);
      if (decision.id !== undefined && state.reusedId(decision.id, decisionFingerprint(decision))) throw reusedId(decision.id);
      // A decision sent on a streamed `approval` event may arrive before the reply that pauses the turn.
      if (state.decisionRefusal(decision) && state.decisionMayBeEarly()) await condition(() => !state.decisionMayBeEarly());
      const notPending = state.decisionRefusal(decision);
      if (notPending) throw ApplicationFailure.nonRetryable(notPending, FailureType.ApprovalNotPending);
      return state.decide(decision.id ?? currentUpdateInfo()?.id ?? uuid4(), decision);
    },
    {
      validator: (raw) => {
        const parsed = ApprovalDecisionArgs.safeParse(raw ?? {});
        if (!parsed.success) throw ApplicationFailure.nonRetryable(`invalid input: ${describeIssues(parsed.error)}`, FailureType.InvalidInput);
        const refusal = state.unavailable();
        if (refusal) throw ApplicationFailure.nonRetryable(refusal.message, refusal.type);
        if (parsed.data.id !== undefined && state.reusedId(parsed.data.id, decisionFingerprint(parsed.data))) throw reusedId(parsed.data.id);
        const notPending = state.decisionRefusal(parsed.data);
        if (notPending && !state.decisionMayBeEarly()) throw ApplicationFailure.nonRetryable(notPending, FailureType.ApprovalNotPending);
      },
    },
  );
  // A deleted session answers no query (its closed run, until Temporal deletes it, would answer stale state); queries are not recorded, so this changes no history.
  const unlessDeleted = () => {
    if (state.ended === 'deleted') throw ApplicationFailure.nonRetryable(`the session "${state.sessionId}" was deleted; use a new session id`, FailureType.SessionDeleted);
  };
  setHandler(getPendingApprovalsQuery, () => (unlessDeleted(), state.pendingApprovals()));
  setHandler(getWindowQuery, () => (unlessDeleted(), state.view.seqs()));
  setHandler(getItemsQuery, (raw) => (unlessDeleted(), state.latestItems(GetItemsArgs.parse(raw ?? {}).limit)));
  setHandler(getContextQuery, () => (unlessDeleted(), withheldSecrets(state.context)));
  setHandler(getStatusQuery, (): SessionStatus => (unlessDeleted(), {
    sessionId: state.sessionId,
    agent: state.agent,
    ...(state.userId ? { userId: state.userId } : {}),
    labels: state.labels,
    state: state.rollingOver ? 'rolling-over' : state.paused ? 'awaiting-approval' : state.running ? 'running' : 'idle',
    pendingApprovals: state.pendingApprovals().length,
    itemCount: state.itemCount,
    lastSeq: state.lastSeq,
    turns: state.turns,
    queued: state.queue.length,
    usage: state.usage,
    window: { items: state.view.size, estimatedTokens: state.view.estimatedTokens() },
    settings: state.settings,
    run: state.run,
    updatesThisRun: state.updatesThisRun,
    historyLength: workflowInfo().historyLength,
    historySizeBytes: workflowInfo().historySize,
  }));

  for (;;) {
    const due = () =>
      state.resumable() || (!state.paused && state.queue.length > 0) || state.shouldRollOver(workflowInfo().continueAsNewSuggested);
    const ttl = state.settings.ttlSeconds;
    const woke = ttl === undefined ? (await condition(due), true) : await condition(due, ttl * 1000);
    if (!woke) {
      state.ended = 'expired';
      state.abandonPaused();
      await projection.endSession({ sessionId: state.sessionId, status: 'expired' });
    }
    if (!state.ended && state.shouldRollOver(workflowInfo().continueAsNewSuggested)) {
      state.rollingOver = true;
      state.returnAwaitedForRetry();
      await condition(allHandlersFinished);
      log.info('continuing as new', {
        sessionId: state.sessionId,
        run: state.run,
        updates: state.updatesThisRun,
        historyLength: workflowInfo().historyLength,
        queuedMessages: state.queue.length,
      });
      return continueAsNew<typeof conversation>({ snapshot: state.snapshot() });
    }
    const paused = state.resumable() ? state.paused : undefined;
    const next = paused ? { kind: 'message' as const, id: paused.operationId, message: paused.message } : state.paused ? undefined : state.queue.shift();
    if (next) {
      state.paused = undefined;
      state.running = next;
      await runOperation(state, next, paused);
      state.running = undefined;
    }
    if (state.ended && state.queue.length === 0) {
      await condition(allHandlersFinished);
      return { ended: state.ended };
    }
  }
}

/** The state a run starts with: a carried snapshot, or a new session (bad start input is logged and replaced by defaults). */
function startingState(input: ConversationInput | undefined): SessionState {
  const sessionId = workflowInfo().workflowId;
  const parsed = ConversationInput.safeParse(input ?? {});
  if (!parsed.success) {
    if (input?.snapshot !== undefined) throw new Error(`the carried snapshot is invalid: ${describeIssues(parsed.error)}`);
    log.warn('ignored bad start input; the session starts with defaults', { reason: describeIssues(parsed.error) });
    return SessionState.start(sessionId, {}, '', SessionSettings.parse({}));
  }
  const { snapshot, agent, context, settings, userId, labels } = parsed.data;
  if (snapshot) return SessionState.resume(sessionId, snapshot);
  return SessionState.start(sessionId, context, agent ?? '', settings ?? SessionSettings.parse({}), { userId, labels });
}

/** The failure for a retried operation whose outcome cannot be given again. */
function forgotten(id: string, why: string): ApplicationFailure {
  return ApplicationFailure.nonRetryable(`operation ${id} already ran, but ${why}; read the session instead`, FailureType.OutcomeForgotten);
}

/** The refusal of an operation id that names another operation (nothing changes). */
function reusedId(id: string): ApplicationFailure {
  return ApplicationFailure.nonRetryable(
    `the operation id "${id}" was already used for a different operation in this session; nothing was changed (use a new id for a new operation, the same id only to retry the same one)`,
    FailureType.OperationIdReused,
  );
}

/** Rebuilds a retried operation's answer from the items it added, read back from the projection. */
type FromItems = (outcome: Extract<RememberedOutcome, { form: 'items' }>, items: SessionItem[]) => unknown;

/**
 * Returns the function that registers an update as an operation: a synchronous validator (bad input,
 * an ended session, a run that is rolling over), then the queue, then the outcome.
 */
function operationRegistrar(state: SessionState) {
  function refuse<Args>(raw: unknown, schema: z.ZodType<Args>, toOperation: (args: Args, id: string) => Operation): void {
    const parsed = schema.safeParse(raw);
    if (!parsed.success) {
      throw ApplicationFailure.nonRetryable(`invalid input: ${describeIssues(parsed.error)}`, FailureType.InvalidInput);
    }
    const refusal = state.unavailable();
    if (refusal) throw ApplicationFailure.nonRetryable(refusal.message, refusal.type);
    const id = (parsed.data as { id?: string }).id ?? currentUpdateInfo()?.id;
    if (id !== undefined && state.reusedId(id, operationFingerprint(toOperation(parsed.data, id)))) throw reusedId(id);
    const waiting = state.pendingApprovals();
    if (waiting.length > 0 && state.queue.length >= MAX_QUEUED_WHILE_PAUSED && !(id !== undefined && state.knows(id))) {
      throw ApplicationFailure.nonRetryable(
        `the session waits for a human's decision on ${waiting.map((entry) => `${entry.tool} (${entry.callId})`).join(', ')} and ${state.queue.length} operations ` +
          'already wait behind it; approve or reject first (see pending), or send later',
        FailureType.AwaitingApproval,
      );
    }
  }

  async function submit(operation: Operation, fromItems: FromItems | undefined): Promise<unknown> {
    state.updatesThisRun += 1;
    state.enqueue(operation);
    await condition(() => state.isSettled(operation.id));
    const full = state.fullResult(operation.id);
    if (full) {
      if (!full.ok) throw ApplicationFailure.nonRetryable(full.message, full.type);
      return full.value;
    }
    const remembered = state.rememberedOutcome(operation.id);
    switch (remembered?.form) {
      case 'value':
        return remembered.value;
      case 'failure':
        throw ApplicationFailure.nonRetryable(remembered.message, remembered.type);
      case 'items': {
        const items = await projection.readItems({ sessionId: state.sessionId, fromSeq: remembered.fromSeq, throughSeq: remembered.throughSeq });
        if (items.length !== remembered.throughSeq - remembered.fromSeq + 1) throw forgotten(operation.id, 'some of its items were removed since');
        return fromItems ? fromItems(remembered, items) : items;
      }
      case 'forgotten':
        throw forgotten(operation.id, 'its outcome was too large to remember');
      default:
        throw ApplicationFailure.nonRetryable('the session is continuing as new; retry with the same id', FailureType.SessionRollingOver);
    }
  }

  return function register<Result, Args>(
    update: UpdateDefinition<Result, [Args]>,
    schema: z.ZodType<Args>,
    toOperation: (args: Args, id: string) => Operation,
    fromItems?: FromItems,
  ): void {
    setHandler(
      update,
      async (raw) => {
        const args = schema.parse(raw ?? {});
        const id = (args as { id?: string }).id ?? currentUpdateInfo()?.id ?? uuid4();
        const operation = toOperation(args, id);
        if (state.reusedId(id, operationFingerprint(operation))) throw reusedId(id);
        return (await submit(operation, fromItems)) as Result;
      },
      { validator: (raw) => refuse(raw ?? {}, schema, toOperation) },
    );
  };
}
