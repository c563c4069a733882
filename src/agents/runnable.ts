/**
 * The one shape a worker runs agents in, whatever they were declared with (`defineAgent` or
 * `@openai/agents`): instructions, tools and handoffs as functions of the session's context. It lives
 * in the worker, never in the workflow bundle, so a prompt or tool change deploys without breaking
 * the replay of sessions already running.
 */
import type { JsonObject } from '../shared/schemas';
import type { HostedTool, ModelSettings } from '../shared/agent';
import type { Memory } from '../shared/memory';

/** What agent code learns about the call it serves. */
export interface RunInfo {
  sessionId: string;
  /** The agent the model call or tool call belongs to. */
  agent: string;
  /** The user the session belongs to, when it belongs to one. */
  userId?: string;
  /** The user's memories recalled for this model call (instructions only; empty without a user). */
  memories?: Memory[];
}

/**
 * What a tool call learns besides its RunInfo: which call it is and which run of it. Tools run at least
 * once: a call lost with its worker, or one that threw, runs again, with the same `idempotencyKey`.
 */
export interface ToolCallInfo {
  /** The model's id for this call. */
  callId: string;
  /**
   * `${sessionId}:${callId}`: the same on every run of this call (a retry after a worker crash, a thrown
   * error, a timeout, a replay; an approved call too), different for every other call. Give it to the
   * service the tool acts on (an Idempotency-Key header, a unique column) so that its effect happens once.
   */
  idempotencyKey: string;
  /** Which run of this call this is: 1, then 2, 3… on retries (Temporal's activity attempt). */
  attempt: number;
  /** Aborted when the run is cancelled (its worker shuts down, or the call timed out): stop, and throw. */
  signal: AbortSignal;
}

/** What a tool call learns: the RunInfo, and which call and run it is. */
export type ToolRunInfo = RunInfo & ToolCallInfo;

/** A function tool as a worker runs it. */
export interface RunnableTool {
  name: string;
  description: string;
  /** The parameters as JSON schema (an object schema). */
  parameters: Record<string, unknown>;
  /** Whether a call with these arguments must wait for a human's approval. */
  needsApproval(context: JsonObject, argumentsJson: string, run: RunInfo): Promise<boolean>;
  /**
   * Runs the call: the output text the model reads, and whether the call failed. `context` is the
   * session's context, a copy the tool may change; the changed top-level keys are kept when the turn commits.
   */
  invoke(argumentsJson: string, context: JsonObject, run: ToolRunInfo): Promise<ToolAnswer>;
}

/** What a tool call answers: the text the model reads, and whether the call failed (bad arguments: the text says why). */
export interface ToolAnswer {
  output: string;
  failed: boolean;
}

/** A handoff the model may call: a tool that makes `target` the session's active agent. */
export interface RunnableHandoff {
  toolName: string;
  description: string;
  target: string;
}

/** An agent as a worker runs it. */
export interface RunnableAgent {
  name: string;
  /** The model; the worker's default when absent. */
  model?: string;
  settings?: ModelSettings;
  /** How many model calls one turn may make (10 when absent). */
  maxModelCalls?: number;
  instructions(context: JsonObject, run: RunInfo): Promise<string>;
  tools: RunnableTool[];
  handoffs: RunnableHandoff[];
  /** Tools the provider runs (Responses API only). */
  hostedTools?: HostedTool[];
  /** Structured output: the final answer's JSON schema, and its check. */
  output?: RunnableOutput;
}

/** An agent's structured output: the JSON schema the model is held to, and the check of what it answered. */
export interface RunnableOutput {
  /** A JSON schema in the form strict mode takes (every property required, no additional properties). */
  schema: Record<string, unknown>;
  /** Checks a parsed answer: its value (as the schema gives it), or what is wrong. */
  check(value: unknown): { value: unknown } | { problem: string };
}
