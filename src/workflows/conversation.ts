/**
 * The `conversation` workflow: one per session, id = session id, alive for the session's whole life.
 * Every change to the session (messages, context patches, added items, pop, clear, compaction,
 * settings, delete) is an operation in one queue, run one at a time in arrival order. The run
 * continues as new before any Temporal limit can bite: it stops taking updates, drains the queue,
 * waits for every handler, and carries a bounded snapshot. It ends only when deleted or expired.
 */
import { allHandlersFinished, condition, continueAsNew, currentUpdateInfo, log, setHandler, uuid4, workflowInfo } from '@temporalio/workflow';
import type { UpdateDefinition } from '@temporalio/common';
import { invalidWorkflowInput, parseOrFail } from '../shared/parse';
import type { z } from 'zod';
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
  markedIfEmpty,
} from '../shared/schemas';
import { ApprovalDecisionArgs } from '../shared/approvals';
import { ImportArgs } from '../shared/export';
import { ConversationInput, type ConversationEnd, type Operation } from '../shared/session-snapshot';
import { withheldSecrets } from '../shared/secrets';
import { replyText } from './agent-loop';
import { SessionState, type FromItems } from './session-state';
import { TraceHandoff } from './trace-handoff';
import { metricEvents } from './metrics-sink';

/** Runs a session until it is deleted or expires. */
export async function conversation(input?: ConversationInput): Promise<ConversationEnd> {
  const state = startingState(input);
  const traces = new TraceHandoff();

  setHandler(userMessageSignal, (raw) => {
    const parsed = UserMessage.safeParse(raw);
    if (!parsed.success) {
      log.warn('dropped a userMessage signal with bad input', { sessionId: state.sessionId, reason: describeIssues(parsed.error) });
      return;
    }
    const operation: Operation = { kind: 'message', id: parsed.data.id ?? uuid4(), message: parsed.data };
    const dropped = state.enqueueSignal(traces.submitted(operation));
    if (dropped) log.warn(`dropped a userMessage signal: ${dropped}`, { sessionId: state.sessionId, messageId: operation.id });
  });

  const register = operationRegistrar(state, traces);
  register(
    sendMessageUpdate,
    UserMessage,
    (message, id) => ({ kind: 'message', id, message }),
    (outcome, items) =>
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
  register(
    addItemsUpdate,
    AddItemsArgs,
    (args, id) => ({ kind: 'add', id, items: args.items }),
    (_outcome, items) => items,
  );
  register(
    replaceSuffixUpdate,
    ReplaceSuffixArgs,
    (args, id) => ({ kind: 'replaceSuffix', id, expectedSuffix: args.expectedSuffix, replacement: args.replacement }),
    (_outcome, items) => items,
  );
  register(popItemUpdate, OperationArgs, (_args, id) => ({ kind: 'pop', id }));
  register(clearSessionUpdate, OperationArgs, (_args, id) => ({ kind: 'clear', id }));
  register(compactUpdate, OperationArgs, (_args, id) => ({ kind: 'compact', id }));
  register(deleteSessionUpdate, OperationArgs, (_args, id) => ({ kind: 'delete', id }));
  register(updateSettingsUpdate, SettingsPatch, (args, id) => ({ kind: 'settings', id, settings: args.settings }));
  register(updateLabelsUpdate, LabelsPatch, (args, id) => ({ kind: 'labels', id, labels: args.labels }));
  register(importSessionUpdate, ImportArgs, ({ id: _id, ...args }, id) => ({ kind: 'import', id, args }));

  setHandler(decideApprovalUpdate, (raw) => state.decideApproval(raw, () => currentUpdateInfo()?.id ?? uuid4()), {
    validator: (raw) => {
      state.checkDecision(parseOrFail(ApprovalDecisionArgs, raw ?? {}, 'invalid input', invalidWorkflowInput));
    },
  });
  setHandler(getPendingApprovalsQuery, () => (state.assertQueryable(), state.pendingApprovals()));
  setHandler(getWindowQuery, () => (state.assertQueryable(), state.windowSeqs()));
  setHandler(getItemsQuery, (raw) => (state.assertQueryable(), state.latestItems(GetItemsArgs.parse(raw ?? {}).limit)));
  setHandler(getContextQuery, () => (state.assertQueryable(), withheldSecrets(state.context)));
  setHandler(getStatusQuery, () => (state.assertQueryable(), state.status({ historyLength: workflowInfo().historyLength, historySizeBytes: workflowInfo().historySize })));

  for (;;) {
    const due = () => state.due(workflowInfo().continueAsNewSuggested);
    const ttl = state.settings.ttlSeconds;
    const woke = ttl === undefined ? (await condition(due), true) : await condition(due, ttl * 1000);
    if (!woke) await state.expire();
    if (!state.ended && state.shouldRollOver(workflowInfo().continueAsNewSuggested)) {
      state.rollOver();
      await condition(allHandlersFinished);
      log.info('continuing as new', {
        sessionId: state.sessionId,
        run: state.run,
        updates: state.updatesThisRun,
        historyLength: workflowInfo().historyLength,
        queuedMessages: state.queue.length,
      });
      metricEvents.rolledOver({ sessionId: state.sessionId });
      return continueAsNew<typeof conversation>({ snapshot: state.snapshot() });
    }
    const next = state.takeNext();
    if (next) await traces.runIn(next.operation, () => state.execute(next));
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

/**
 * Returns the function that registers an update as an operation of the session: a synchronous
 * validator (bad input, then the session's `checkAdmission`), and a handler that submits it.
 */
function operationRegistrar(state: SessionState, traces: TraceHandoff) {
  /** Inputs the validator parsed, for the handler that runs next with the same input. */
  const validated = new WeakMap<object, unknown>();
  return function register<Result, Args>(
    update: UpdateDefinition<Result, [Args]>,
    schema: z.ZodType<Args>,
    toOperation: (args: Args, id: string) => Operation,
    fromItems?: FromItems,
  ): void {
    setHandler(
      update,
      async (raw) => {
        // The validator parsed this input already (it does not run on replay, so parse when it did not).
        const args = (validated.get(raw as object) as Args | undefined) ?? schema.parse(raw ?? {});
        const id = (args as { id?: string }).id ?? currentUpdateInfo()?.id ?? uuid4();
        return (await state.submit(traces.submitted(toOperation(args, id)), fromItems)) as Result;
      },
      {
        validator: (raw) => {
          const args = parseOrFail(schema, raw ?? {}, 'invalid input', invalidWorkflowInput);
          const id = (args as { id?: string }).id ?? currentUpdateInfo()?.id;
          state.checkAdmission(id === undefined ? undefined : toOperation(args, id));
          if (raw !== null && typeof raw === 'object') validated.set(raw, args);
        },
      },
    );
  };
}
