/**
 * The `conversation` workflow: one per session, id = session id, alive for the session's whole life.
 * Messages arrive by signal or update, queue in arrival order and run one turn at a time.
 */
import { ApplicationFailure, condition, log, setHandler, uuid4, workflowInfo } from '@temporalio/workflow';
import type { z } from 'zod';
import { agents } from '../agents';
import { FailureType } from '../shared/failures';
import {
  getContextQuery,
  getItemsQuery,
  getStatusQuery,
  sendMessageUpdate,
  updateContextUpdate,
  userMessageSignal,
} from '../shared/messages';
import { ContextPatch, ConversationInput, describeIssues, GetItemsArgs, UserMessage } from '../shared/schemas';
import { runTurn } from './agent-loop';
import { SessionState } from './session-state';

/** Runs a session: applies its handlers, then takes queued messages one turn at a time, forever. */
export async function conversation(input?: ConversationInput): Promise<never> {
  const state = new SessionState(workflowInfo().workflowId, ...startingContextAndAgent(input));

  setHandler(userMessageSignal, (raw) => {
    const parsed = UserMessage.safeParse(raw);
    if (!parsed.success) {
      log.warn('dropped a userMessage signal with bad input', { reason: describeIssues(parsed.error) });
      return;
    }
    state.enqueue(parsed.data.id ?? uuid4(), parsed.data);
  });

  setHandler(
    sendMessageUpdate,
    async (raw) => {
      const message = UserMessage.parse(raw);
      const id = state.enqueue(message.id ?? uuid4(), message);
      await condition(() => state.outcome(id) !== undefined);
      const outcome = state.outcome(id);
      if (!outcome) throw ApplicationFailure.nonRetryable('the turn has no outcome', FailureType.TurnFailed);
      if (!outcome.ok) throw ApplicationFailure.nonRetryable(outcome.message, outcome.type);
      return outcome.result;
    },
    { validator: (raw) => validate(UserMessage, raw) },
  );

  setHandler(
    updateContextUpdate,
    (raw) => {
      state.context = { ...state.context, ...ContextPatch.parse(raw).patch };
      return state.context;
    },
    { validator: (raw) => validate(ContextPatch, raw) },
  );

  setHandler(getItemsQuery, (raw) => state.latestItems(GetItemsArgs.parse(raw ?? {}).limit));
  setHandler(getContextQuery, () => state.context);
  setHandler(getStatusQuery, () => ({
    sessionId: state.sessionId,
    agent: state.agent,
    state: state.running ? 'running' : 'idle',
    itemCount: state.items.length,
    lastSeq: state.lastSeq,
    turns: state.turns,
    queued: state.queue.length,
    usage: state.usage,
    historyLength: workflowInfo().historyLength,
    historySizeBytes: workflowInfo().historySize,
  }));

  for (;;) {
    await condition(() => state.queue.length > 0);
    const next = state.queue.shift();
    if (!next) continue;
    state.running = next;
    state.remember(next.id, await runTurn(state, next, agents));
    state.running = undefined;
  }
}

/** The context and agent a session starts with; bad start input is logged and replaced by defaults. */
function startingContextAndAgent(input: ConversationInput | undefined): [Record<string, unknown>, string] {
  const parsed = ConversationInput.safeParse(input ?? {});
  if (!parsed.success) {
    log.warn('ignored bad start input; the session starts with an empty context', {
      reason: describeIssues(parsed.error),
    });
    return [{}, agents.defaultAgent];
  }
  const { agent, context } = parsed.data;
  if (agent === undefined || agents.find(agent)) return [context, agent ?? agents.defaultAgent];
  log.warn('unknown start agent; the session starts with the default agent', { agent });
  return [context, agents.defaultAgent];
}

/** A synchronous update validator: refuses bad input with a message that says what is wrong. */
function validate(schema: z.ZodType, raw: unknown): void {
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    throw ApplicationFailure.nonRetryable(`invalid input: ${describeIssues(parsed.error)}`, FailureType.InvalidInput);
  }
}
