/** Tool implementations, registered by tool name, and the `callTool` activity that runs them. */
import type { z } from 'zod';
import type { AgentRegistry, ToolSpec } from '../../shared/agent';
import { ToolCallInput, type ToolCallResult } from '../../shared/activity-io';
import type { JsonObject } from '../../shared/schemas';
import { describeIssues } from '../../shared/schemas';
import { repairJson } from '../../shared/text';
import { MAX_TOOL_OUTPUT_CHARS } from '../../shared/limits';
import { parseActivityInput } from '../activity-input';

/** What a tool implementation gets besides its arguments. */
export interface ToolRunContext {
  sessionId: string;
  agent: string;
  /** The session's context when the model called the tool (read-only: return changes instead). */
  context: Readonly<JsonObject>;
}

/** A tool's answer: text for the model, or text plus the top-level context keys to set. */
export type ToolAnswer = string | { output: string; contextPatch?: JsonObject };

/** Runs a tool with arguments already checked against its zod schema. */
export type ToolImplementation<Params extends z.ZodObject> = (
  args: z.infer<Params>,
  run: ToolRunContext,
) => Promise<ToolAnswer> | ToolAnswer;

/** A tool spec paired with the code that runs it. */
export interface ImplementedTool {
  spec: ToolSpec;
  run: (args: unknown, run: ToolRunContext) => Promise<ToolAnswer> | ToolAnswer;
}

/** Pairs a tool spec with its implementation. */
export function implementTool<Params extends z.ZodObject>(
  spec: ToolSpec<Params>,
  run: ToolImplementation<Params>,
): ImplementedTool {
  return { spec, run: (args, context) => run(args as z.infer<Params>, context) };
}

/**
 * Creates the `callTool` activity. Bad arguments from the model and unknown tools are answered to
 * the model as an error output (so it can correct itself); a tool that throws is retried. Text Postgres
 * could not store is repaired, and an output longer than 64,000 characters is cut, in what a tool answers.
 */
export function createCallTool(agents: AgentRegistry, implemented: ImplementedTool[]) {
  const byName = new Map(implemented.map((tool) => [tool.spec.name, tool]));
  return async function callTool(rawInput: ToolCallInput): Promise<ToolCallResult> {
    const input = parseActivityInput(ToolCallInput, rawInput, 'callTool');
    const { name } = input.call;
    const spec = agents.findTool(input.agent, name);
    const tool = byName.get(name);
    if (!spec || !tool) return { output: `Error: the agent ${input.agent} has no tool named ${name}.` };
    let json: unknown;
    try {
      json = JSON.parse(input.call.arguments || '{}');
    } catch {
      return { output: `Error: the arguments for ${name} are not valid JSON.` };
    }
    const args = spec.parameters.safeParse(json);
    if (!args.success) return { output: `Error: invalid arguments for ${name}: ${describeIssues(args.error)}` };
    const answer = await tool.run(args.data, { sessionId: input.sessionId, agent: input.agent, context: input.context });
    const result = repairJson(typeof answer === 'string' ? { output: answer } : answer);
    return { ...result, output: capOutput(result.output) };
  };
}

/** A tool's output cut to MAX_TOOL_OUTPUT_CHARS, with a note for the model that it was cut. */
export function capOutput(output: string): string {
  if (output.length <= MAX_TOOL_OUTPUT_CHARS) return output;
  return `${output.slice(0, MAX_TOOL_OUTPUT_CHARS)}\n[output cut: ${output.length - MAX_TOOL_OUTPUT_CHARS} more characters were not kept]`;
}
