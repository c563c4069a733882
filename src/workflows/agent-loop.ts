/**
 * One turn of a conversation: append the user's message, call the model until it answers without
 * tool calls, run the tools it asks for, then project the new items. A turn commits whole or not at
 * all: if it fails, the session is as it was before the message.
 */
import { ActivityFailure, ApplicationFailure, log } from '@temporalio/workflow';
import { handoffOutput } from '../shared/agent';
import { rejectionOutput } from '../shared/approvals';
import type { PausedTurn } from '../shared/session-snapshot';
import type { StreamTarget } from '../shared/stream';
import { toolCallFailed, type ItemWindow, type ModelCallResult, type ProjectionInput } from '../shared/activity-io';
import { FailureType, failureTypeOf, TRANSIENT_MODEL_FAILURES } from '../shared/failures';
import { DEFAULT_MAX_MODEL_CALLS, MAX_TURN_BYTES } from '../shared/limits';
import {
  ContextObject,
  describeIssues,
  markedIfEmpty,
  utf8Length,
  type JsonObject,
  type FunctionCallItem,
  type SessionSettings,
  type Item,
  type TurnResult,
  type UserMessage,
} from '../shared/schemas';
import { lastMessageText } from '../shared/item-text';
import { isFunctionCall } from '../shared/items';
import { repairText } from '../shared/text';
import { model, projection, tools } from './activity-stubs';
import { mergedContext } from './session-rules';
import { addUsage, emptyUsage } from '../shared/usage';
import { metricEvents } from './metrics-sink';

/**
 * What a turn needs of its session: to read it, and to change it only through `pause` and
 * `commitTurn` (the session's class implements it; the turn never writes the session's fields).
 */
export interface TurnSession {
  readonly sessionId: string;
  readonly context: JsonObject;
  readonly agent: string;
  readonly settings: SessionSettings;
  readonly lastSeq: number;
  readonly turns: number;
  readonly userId: string | undefined;
  /** The model's window as a claim check. */
  window(): ItemWindow;
  /** The projection write of a turn's draft. */
  turnProjection(turn: number, draft: PausedTurn): ProjectionInput;
  /** Takes a finished turn's items, context and agent into the session. */
  commitTurn(draft: PausedTurn, context: JsonObject): void;
  /** Holds a turn that waits for humans' decisions. */
  pause(turn: PausedTurn): void;
}

/** A turn that stopped to wait for humans' decisions on its tool calls; it resumes with `resumeTurn`. */
export const PAUSED = 'paused' as const;

/** Runs the turn of one message against the session state; throws an ApplicationFailure when it fails. */
export async function runTurn(state: TurnSession, messageId: string, message: UserMessage): Promise<TurnResult | typeof PAUSED> {
  return TurnDraft.start(state, messageId, message).logged('turn started');
}

/** Resumes the session's paused turn once every call it waits on is decided. */
export async function resumeTurn(state: TurnSession, paused: PausedTurn): Promise<TurnResult | typeof PAUSED> {
  return new TurnDraft(state, paused).logged('turn resumed');
}

/**
 * The items, context and agent of a turn in progress, committed to the session only at its end. It
 * changes the session only through its methods (`commitTurn`, `pause`). Its fields are a PausedTurn,
 * so a turn waiting for approvals is carried across continue-as-new as is.
 */
class TurnDraft {
  /** Outputs the workflow made that no stream event has shown yet. */
  private readonly unannounced: Array<{ callId: string; output: string }> = [];
  /** The number this turn gets when it commits. */
  private readonly turn: number;

  constructor(
    private readonly state: TurnSession,
    private readonly draft: PausedTurn,
  ) {
    this.turn = state.turns + 1;
  }

  static start(state: TurnSession, messageId: string, message: UserMessage): TurnDraft {
    const draft = new TurnDraft(state, {
      operationId: messageId,
      message,
      items: [],
      context: { ...state.context },
      agent: message.agent ?? state.agent,
      usage: emptyUsage(),
      bytes: 0,
      modelCalls: 0,
      maxCalls: DEFAULT_MAX_MODEL_CALLS,
      calls: [],
      pending: [],
      decisions: {},
    });
    for (const item of userItems(message)) draft.append(item);
    return draft;
  }

  /**
   * Runs the turn between two log lines: its start (or resumption), and its end (completed, or failed
   * with the failure type) or pause, with how long it took. Only ids, counts and names are logged,
   * never the message's text or the context.
   */
  async logged(start: 'turn started' | 'turn resumed'): Promise<TurnResult | typeof PAUSED> {
    const startedAt = Date.now();
    log.info(start, this.logFields());
    metricEvents.turnStarted({ sessionId: this.state.sessionId, resumed: start === 'turn resumed' });
    const timed = () => ({ ...this.logFields(), durationMs: Date.now() - startedAt });
    try {
      const result = await this.run();
      if (result === PAUSED) log.info('turn paused', { ...timed(), waitingFor: this.draft.pending.map((entry) => entry.tool) });
      else log.info('turn ended', { ...timed(), outcome: 'completed', modelCalls: this.draft.modelCalls, items: result.items.length, totalTokens: result.usage.totalTokens });
      metricEvents.turnEnded({
        ...this.metricFields(startedAt),
        ...(result === PAUSED ? { outcome: 'paused', approvalsWaiting: this.draft.pending.length } : { outcome: 'completed' }),
      });
      return result;
    } catch (error) {
      const failure = callerFailure(error);
      if (failure) log.warn('turn ended', { ...timed(), outcome: 'failed', failureType: failure.type, error: failure.message });
      if (failure) metricEvents.turnEnded({ ...this.metricFields(startedAt), outcome: 'failed', failureType: failure.type });
      throw error;
    }
  }

  /** What a turn's metric event carries: the session, the agent and the duration in workflow time. */
  private metricFields(startedAt: number) {
    return { sessionId: this.state.sessionId, agent: this.draft.agent, durationMs: Date.now() - startedAt };
  }

  /** What every log line of the turn carries (the agent once known: a session's first turn learns it from the model call). */
  private logFields() {
    return { sessionId: this.state.sessionId, turn: this.turn, agent: this.draft.agent || undefined, messageId: this.draft.operationId };
  }

  /**
   * Calls the model until it answers without tool calls, running the calls of each reply; pauses (and
   * says so) when a call needs a decision nobody has taken yet.
   */
  private async run(): Promise<TurnResult | typeof PAUSED> {
    const window = this.state.window();
    for (;;) {
      if (this.draft.calls.length > 0) {
        if (this.pause()) return PAUSED;
        await this.runCalls();
        if (this.draft.modelCalls >= this.draft.maxCalls) break;
      }
      const response = await model.callModel({
        sessionId: this.state.sessionId,
        turn: this.turn,
        agent: this.draft.agent,
        context: this.draft.context,
        window,
        turnItems: this.draft.items.map((entry) => entry.item),
        inputCallback: this.state.settings.inputCallback,
        ...(this.state.userId ? { userId: this.state.userId } : {}),
        stream: this.streamTarget(),
      });
      this.draft.modelCalls += 1;
      if (response.agent) this.answeredBy(response.agent);
      this.draft.maxCalls = response.maxModelCalls ?? this.draft.maxCalls;
      this.draft.usage = addUsage(this.draft.usage, response.usage);
      for (const item of response.items) this.append(item);
      const calls = response.items.filter(isFunctionCall);
      if (calls.length === 0) return this.commit(replyText(response.items), response);
      this.draft.calls = calls.map((call) => ({ call, plan: response.calls?.[call.call_id] ?? { kind: 'tool' } }));
    }
    throw ApplicationFailure.nonRetryable(
      `the agent "${this.draft.agent}" called the model ${this.draft.maxCalls} times without a final answer; ` + "rephrase the message or raise the agent's maxModelCalls",
      FailureType.MaxTurnsExceeded,
    );
  }

  /** Pauses the turn when a call of the reply needs a decision not taken yet; says whether it did. */
  private pause(): boolean {
    const undecided = this.draft.calls.filter(({ call, plan }) => plan.kind === 'tool' && plan.approval && !this.draft.decisions[call.call_id]);
    if (undecided.length === 0) return false;
    const requestedAt = new Date().toISOString();
    this.draft.pending = undecided.map(({ call }) => ({
      callId: call.call_id,
      tool: call.name,
      arguments: call.arguments,
      agent: this.draft.agent,
      messageId: this.draft.operationId,
      requestedAt,
    }));
    this.state.pause(this.draft);
    return true;
  }

  /**
   * Records the agent the worker resolved: a session that started without naming one learns its
   * default agent's name at the first model call, and the items drafted so far are relabelled.
   */
  private answeredBy(agent: string): void {
    if (this.draft.agent === '') for (const entry of this.draft.items) entry.agent = agent;
    this.draft.agent = agent;
  }

  /**
   * Runs a reply's function calls in order: tools through the tool activity (a rejected one answers
   * with the rejection), the first handoff by switching the active agent (later items are the new
   * agent's); a second handoff in the same reply is answered, not followed, as the Agents SDK does.
   */
  private async runCalls(): Promise<void> {
    let handedOffTo: string | undefined;
    for (const { call, plan } of this.draft.calls) {
      const decision = this.draft.decisions[call.call_id];
      if (plan.kind === 'tool') {
        if (decision && !decision.approved) this.appendOutput(call.call_id, rejectionOutput(decision.reason));
        else await this.runTool(call);
      } else if (handedOffTo === undefined) {
        handedOffTo = plan.target;
        this.append({ type: 'function_call_output', call_id: call.call_id, output: handoffOutput(plan.target) });
      } else {
        this.append({ type: 'function_call_output', call_id: call.call_id, output: 'Multiple handoffs detected, ignoring this one.' });
      }
    }
    this.draft.calls = [];
    this.draft.pending = [];
    if (handedOffTo !== undefined) this.draft.agent = handedOffTo;
  }

  private async runTool(functionCall: FunctionCallItem): Promise<void> {
    try {
      const result = await tools.callTool({
        sessionId: this.state.sessionId,
        turn: this.turn,
        agent: this.draft.agent,
        call: functionCall,
        context: this.draft.context,
        ...(this.state.userId ? { userId: this.state.userId } : {}),
        stream: this.streamTarget(),
      });
      if (result.contextPatch) this.draft.context = { ...this.draft.context, ...checkedToolPatch(result.contextPatch) };
      if (toolCallFailed(result)) log.info('a tool call failed (invalid arguments, an unknown tool); the model gets the error as its output', this.toolLogFields(functionCall));
      // The model's item keeps its wire shape: the output alone, never the failure mark.
      this.append({ type: 'function_call_output', call_id: functionCall.call_id, output: result.output });
    } catch (error) {
      if (!(error instanceof ActivityFailure)) throw error;
      log.warn('a tool failed after its retries; the model gets the error as its output', {
        ...this.toolLogFields(functionCall),
        errorType: error.cause instanceof ApplicationFailure ? error.cause.type : error.cause?.name,
      });
      this.appendOutput(functionCall.call_id, repairText(`Error: the tool ${functionCall.name} failed: ${error.cause?.message ?? error.message}`));
    }
  }

  /** The log fields of a tool call: the turn's, the tool's name and the call's id. */
  private toolLogFields(functionCall: FunctionCallItem) {
    return { ...this.logFields(), tool: functionCall.name, callId: functionCall.call_id };
  }

  /** Adds a tool output the workflow made itself (no activity streamed it): the next model call announces it. */
  private appendOutput(callId: string, output: string): void {
    this.append({ type: 'function_call_output', call_id: callId, output });
    this.unannounced.push({ callId, output });
  }

  /**
   * Where the next activity writes its stream events: this message's stream, as the seq its first item
   * takes; it announces the outputs the workflow made since the last one.
   */
  private streamTarget(): StreamTarget {
    const outputs = this.unannounced.splice(0);
    return { messageId: this.draft.operationId, step: this.state.lastSeq + this.draft.items.length + 1, ...(outputs.length > 0 ? { outputs } : {}) };
  }

  /** Adds an item to the draft; a turn whose items outgrow MAX_TURN_BYTES fails (they travel in activity inputs). */
  private append(item: Item): void {
    const seq = this.state.lastSeq + this.draft.items.length + 1;
    const entry = { seq, agent: this.draft.agent, at: new Date().toISOString(), item };
    this.draft.bytes += utf8Length(JSON.stringify(entry));
    if (this.draft.bytes > MAX_TURN_BYTES) {
      throw ApplicationFailure.nonRetryable(`the turn's items passed ${MAX_TURN_BYTES} bytes (large tool outputs?); the session is unchanged`, FailureType.TurnFailed);
    }
    this.draft.items.push(entry);
  }

  /** Commits the turn; the last reply's structured output and finish reason go into the result when it has them. */
  private async commit(reply: string, last: Pick<ModelCallResult, 'output' | 'finishReason'>): Promise<TurnResult> {
    const { items, agent, usage, operationId: messageId } = this.draft;
    const merged = mergedContext(this.state.context, this.draft.context);
    if ('refused' in merged) throw toolChangeRefused(merged.refused);
    await projection.projectTurn(this.state.turnProjection(this.turn, this.draft));
    this.state.commitTurn(this.draft, merged.context);
    return markedIfEmpty({
      messageId,
      reply,
      agent,
      items,
      usage,
      ...(last.output !== undefined ? { output: last.output } : {}),
      ...(last.finishReason ? { finishReason: last.finishReason } : {}),
    });
  }
}

/** A tool's context patch, if it is one the context may take (well-formed secrets, storable text); the turn fails otherwise. */
function checkedToolPatch(patch: JsonObject): JsonObject {
  const checked = ContextObject.safeParse(patch);
  if (!checked.success) throw toolChangeRefused(describeIssues(checked.error));
  return checked.data;
}

/** The failure of a turn whose tool changed the context in a way it may not take (malformed, or too large). */
function toolChangeRefused(reason: string): ApplicationFailure {
  return ApplicationFailure.nonRetryable(`a tool's change to the context was refused: ${reason}; the session is unchanged`, FailureType.TurnFailed);
}

/** The session items a user message adds. */
function userItems(message: UserMessage): Item[] {
  if (message.input) return message.input;
  return [{ type: 'message', role: 'user', content: message.text ?? '' }];
}

/** The text of the last assistant message among the items. */
export function replyText(items: Item[]): string {
  return lastMessageText(items, 'assistant');
}

/**
 * The project's own failure types: an activity failing with one of them keeps it, retried or not;
 * but a transient model fault (ModelHttpError, ModelDeadline, or an old history's ModelHttp<status>)
 * that outlasted its retries is ModelUnavailable.
 */
const KNOWN_FAILURE_TYPES = new Set<string>(Object.values(FailureType).filter((type) => !TRANSIENT_MODEL_FAILURES.has(type)));

/** The failure a caller should see for an error that ends an operation; undefined for bugs (they retry the task). */
export function callerFailure(error: unknown): { type: string; message: string } | undefined {
  if (error instanceof ApplicationFailure) {
    return { type: error.type ?? FailureType.TurnFailed, message: error.message };
  }
  if (!(error instanceof ActivityFailure)) return undefined;
  const cause = error.cause;
  if (cause instanceof ApplicationFailure && cause.type && (cause.nonRetryable || KNOWN_FAILURE_TYPES.has(failureTypeOf(cause.type)))) {
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
