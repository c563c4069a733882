/**
 * How users declare their agents and tools: plain objects with zod parameters and a typed context.
 * Declarations run in the worker (instructions may be async and read data; tools do I/O), and are
 * registered when the worker is created.
 */
import { z } from 'zod';
import { HostedTool, ModelSettings, TOOL_NAME_PATTERN } from '../shared/agent';
import { AgentName, describeIssues, type JsonObject } from '../shared/schemas';
import type { RunInfo, ToolCallInfo } from './runnable';

/** What a tool's `execute` and an agent's instructions get: the session's context and the call. */
export interface RunContext<Context extends JsonObject> extends RunInfo {
  /** The session's context. A tool may change it: the changed top-level keys are kept when the turn commits. */
  context: Context;
}

/**
 * What a tool's `execute` gets: the RunContext, plus `idempotencyKey` (the same on every run of this call),
 * `attempt` (1, 2…), `callId` and `signal`. Tools run at least once: use the key for anything that must
 * happen once (a charge, an email).
 */
export interface ToolRunContext<Context extends JsonObject> extends RunContext<Context>, ToolCallInfo {}

/** A function tool: a name the model sees, what it does, zod parameters and the code that runs it. */
export interface ToolDefinition<Context extends JsonObject = JsonObject, Params extends z.ZodObject = z.ZodObject> {
  name: string;
  description: string;
  parameters: Params;
  /**
   * Runs the call in the worker. Returns the output the model reads: a string, or any JSON value
   * (sent as JSON text). Leave it out to supply the code with `startWorker({ tools })` instead.
   * It runs at least once: a run lost with its worker, or one that threw, runs again (up to 3 runs),
   * with the same `run.idempotencyKey`, so that a side effect keyed by it happens once.
   */
  execute?: (args: z.infer<Params>, run: ToolRunContext<Context>) => unknown;
  /** A call must wait for a human's approval: always, or when this returns true for the arguments. */
  needsApproval?: boolean | ((args: z.infer<Params>, run: RunContext<Context>) => boolean | Promise<boolean>);
}

/** A tool of any parameters, as an agent lists it. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyTool<Context extends JsonObject = JsonObject> = ToolDefinition<Context, any>;

/** Instructions: text, or a function of the context (it may be async and read data, such as memories). */
export type Instructions<Context extends JsonObject> = string | ((run: RunContext<Context>) => string | Promise<string>);

/** An agent: a name, instructions, a model and its settings, tools, and the agents it may hand off to. */
export interface AgentDefinition<Context extends JsonObject = JsonObject> {
  name: string;
  instructions: Instructions<Context>;
  /** The model; the worker's default when absent. */
  model?: string;
  settings?: ModelSettings;
  tools?: AnyTool<Context>[];
  /** Agents (or agent names) this one may hand the conversation to, each through a `transfer_to_<name>` tool. */
  handoffs?: (AgentDefinition<Context> | string)[];
  /** What other agents' handoff tools say about this agent. */
  handoffDescription?: string;
  /** How many model calls one turn may make (10 when absent). */
  maxModelCalls?: number;
  /**
   * Tools the provider runs itself: `{ type: 'web_search' }`, `{ type: 'file_search', vectorStoreIds }`,
   * `{ type: 'code_interpreter' }`. Offered on the Responses API only; a worker on Chat Completions
   * leaves them out (and logs why).
   */
  hostedTools?: HostedTool[];
  /**
   * Structured output: the final answer must be JSON matching this schema (sent to the model as a
   * strict JSON schema). The turn's result carries it parsed as `turn.output`; an answer that does not
   * match fails the turn with `InvalidOutputError`.
   */
  outputType?: z.ZodType;
}

/**
 * Declares a function tool (its name is what the model sees, so keep it snake_case). A tool that reads
 * a typed context says so on its `run` parameter: `execute: (args, { context, idempotencyKey }: ToolRunContext<Cart>) => ...`.
 */
export function defineTool<Params extends z.ZodObject, Context extends JsonObject = JsonObject>(tool: ToolDefinition<Context, Params>): ToolDefinition<Context, Params> {
  if (!TOOL_NAME_PATTERN.test(tool.name)) throw new Error(`tool name "${tool.name}" must be 1-64 letters, digits, _ or -`);
  return tool;
}

/** Declares an agent whose instructions and tools read a context of type `Context`. */
export function defineAgent<Context extends JsonObject = JsonObject>(agent: AgentDefinition<Context>): AgentDefinition<Context> {
  const name = AgentName.safeParse(agent.name);
  if (!name.success) throw new Error(`agent name ${JSON.stringify(agent.name)} is not valid: ${describeIssues(name.error)}`);
  const settings = ModelSettings.safeParse(agent.settings ?? {});
  if (!settings.success) throw new Error(`agent "${agent.name}" has invalid settings: ${z.prettifyError(settings.error)}`);
  const hosted = z.array(HostedTool).safeParse(agent.hostedTools ?? []);
  if (!hosted.success) throw new Error(`agent "${agent.name}" has invalid hostedTools: ${z.prettifyError(hosted.error)}`);
  if (agent.outputType !== undefined && !(agent.outputType instanceof z.ZodType)) {
    throw new Error(`agent "${agent.name}" has an outputType that is not a zod schema (give one, e.g. z.object({ ... }))`);
  }
  return agent;
}
