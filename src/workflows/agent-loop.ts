/**
 * One turn of a conversation: append the user's message, call the model until it answers without
 * tool calls, run the tools it asks for, then project the new items. A turn commits whole or not at
 * all: if it fails, the session is as it was before the message.
 */
import { ActivityFailure, ApplicationFailure } from '@temporalio/workflow';
import type { CallPlan } from '../shared/activity-io';
import { handoffOutput } from '../shared/agent';
import { FailureType } from '../shared/failures';
import { DEFAULT_MAX_MODEL_CALLS, MAX_TURN_BYTES } from '../shared/limits';
import { utf8Length, type FunctionCallItem, type Item, type JsonObject, type SessionItem, type TurnResult, type UserMessage } from '../shared/schemas';
import { repairText } from '../shared/text';
import { model, projection, tools } from './activity-stubs';
import type { SessionState } from './session-state';
import { addUsage, emptyUsage } from './session-state';

/** Runs the turn of one message against the session state; throws an ApplicationFailure when it fails. */
export async function runTurn(state: SessionState, messageId: string, message: UserMessage): Promise<TurnResult> {
  return new TurnDraft(state).run(messageId, message);
}

/** The items, context and agent of a turn in progress, committed to the session only at its end. */
class TurnDraft {
  private readonly items: SessionItem[] = [];
  private context: JsonObject;
  private agent: string;
  private usage = emptyUsage();

  constructor(private readonly state: SessionState) {
    this.context = { ...state.context };
    this.agent = state.agent;
  }

  async run(messageId: string, message: UserMessage): Promise<TurnResult> {
    if (message.agent) this.agent = message.agent;
    for (const item of userItems(message)) this.append(item);
    const window = this.state.view.window();
    let maxCalls = DEFAULT_MAX_MODEL_CALLS;
    for (let call = 0; call < maxCalls; call++) {
      const response = await model.callModel({
        sessionId: this.state.sessionId,
        agent: this.agent,
        context: this.context,
        window,
        turnItems: this.items.map((entry) => entry.item),
        inputCallback: this.state.settings.inputCallback,
      });
      if (response.agent) this.answeredBy(response.agent);
      maxCalls = response.maxModelCalls ?? maxCalls;
      this.usage = addUsage(this.usage, response.usage);
      for (const item of response.items) this.append(item);
      const calls = response.items.filter((item): item is FunctionCallItem => item.type === 'function_call');
      if (calls.length === 0) return this.commit(messageId, replyText(response.items));
      await this.runCalls(calls, response.calls ?? {});
    }
    throw ApplicationFailure.nonRetryable(
      `the agent "${this.agent}" called the model ${maxCalls} times without a final answer; ` +
        'rephrase the message or raise the agent\'s maxModelCalls',
      FailureType.MaxTurnsExceeded,
    );
  }

  /**
   * Records the agent the worker resolved: a session that started without naming one learns its
   * default agent's name at the first model call, and the items drafted so far are relabelled.
   */
  private answeredBy(agent: string): void {
    if (this.agent === '') for (const entry of this.items) entry.agent = agent;
    this.agent = agent;
  }

  /**
   * Runs a reply's function calls in order: tools through the tool activity, the first handoff by
   * switching the active agent (later items are the new agent's); a second handoff in the same reply
   * is answered, not followed, as the Agents SDK does.
   */
  private async runCalls(calls: FunctionCallItem[], plans: Record<string, CallPlan>): Promise<void> {
    let handedOffTo: string | undefined;
    for (const functionCall of calls) {
      const plan = plans[functionCall.call_id] ?? { kind: 'tool' };
      if (plan.kind === 'tool') {
        await this.runTool(functionCall);
      } else if (handedOffTo === undefined) {
        handedOffTo = plan.target;
        this.append({ type: 'function_call_output', call_id: functionCall.call_id, output: handoffOutput(plan.target) });
      } else {
        this.append({ type: 'function_call_output', call_id: functionCall.call_id, output: 'Multiple handoffs detected, ignoring this one.' });
      }
    }
    if (handedOffTo !== undefined) this.agent = handedOffTo;
  }

  private async runTool(functionCall: FunctionCallItem): Promise<void> {
    let output: string;
    try {
      const result = await tools.callTool({
        sessionId: this.state.sessionId,
        agent: this.agent,
        call: functionCall,
        context: this.context,
      });
      output = result.output;
      if (result.contextPatch) this.context = { ...this.context, ...result.contextPatch };
    } catch (error) {
      if (!(error instanceof ActivityFailure)) throw error;
      output = repairText(`Error: the tool ${functionCall.name} failed: ${error.cause?.message ?? error.message}`);
    }
    this.append({ type: 'function_call_output', call_id: functionCall.call_id, output });
  }

  private bytes = 0;

  /** Adds an item to the draft; a turn whose items outgrow MAX_TURN_BYTES fails (they travel in activity inputs). */
  private append(item: Item): void {
    const seq = this.state.lastSeq + this.items.length + 1;
    const entry = { seq, agent: this.agent, at: new Date().toISOString(), item };
    this.bytes += utf8Length(JSON.stringify(entry));
    if (this.bytes > MAX_TURN_BYTES) {
      throw ApplicationFailure.nonRetryable(
        `the turn's items passed ${MAX_TURN_BYTES} bytes (large tool outputs?); the session is unchanged`,
        FailureType.TurnFailed,
      );
    }
    this.items.push(entry);
  }

  private async commit(messageId: string, reply: string): Promise<TurnResult> {
    const merged = this.state.mergedContext(this.context);
    if ('refused' in merged) {
      throw ApplicationFailure.nonRetryable(`a tool made the context too large: ${merged.refused}`, FailureType.TurnFailed);
    }
    await projection.projectTurn({
      sessionId: this.state.sessionId,
      items: this.items,
      session: { agent: this.agent, itemCount: this.state.itemCount + this.items.length, lastSeq: this.items[this.items.length - 1].seq },
    });
    this.state.commitItems(this.items, { context: merged.context, agent: this.agent, usage: this.usage, turn: true });
    return { messageId, reply, agent: this.agent, items: this.items, usage: this.usage };
  }
}

/** The session items a user message adds. */
function userItems(message: UserMessage): Item[] {
  if (message.input) return message.input;
  return [{ type: 'message', role: 'user', content: message.text ?? '' }];
}

/** The text of the last assistant message among the items. */
export function replyText(items: Item[]): string {
  for (let index = items.length - 1; index >= 0; index--) {
    const item = items[index];
    if (item.type === 'message' && item.role === 'assistant') {
      return typeof item.content === 'string' ? item.content : item.content.map((part) => part.text).join('');
    }
  }
  return '';
}

/** The project's own failure types: an activity failing with one of them keeps it, retried or not. */
const KNOWN_FAILURE_TYPES = new Set<string>(Object.values(FailureType));

/** The failure a caller should see for an error that ends an operation; undefined for bugs (they retry the task). */
export function callerFailure(error: unknown): { type: string; message: string } | undefined {
  if (error instanceof ApplicationFailure) {
    return { type: error.type ?? FailureType.TurnFailed, message: error.message };
  }
  if (!(error instanceof ActivityFailure)) return undefined;
  const cause = error.cause;
  if (cause instanceof ApplicationFailure && cause.type && (cause.nonRetryable || KNOWN_FAILURE_TYPES.has(cause.type))) {
    return { type: cause.type, message: cause.message };
  }
  const reason = cause?.message ?? error.message;
  if (error.activityType === 'callModel' || error.activityType === 'summarize') {
    return {
      type: FailureType.ModelUnavailable,
      message: `the model could not be reached after retries (${reason}); try again later`,
    };
  }
  return { type: FailureType.TurnFailed, message: `${error.activityType ?? 'an activity'} failed: ${reason}` };
}
