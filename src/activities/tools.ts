/** The `callTool` activity: runs a function call with the code the worker registered for it. */
import type { AgentRegistry } from '../agents';
import { ToolCallInput, type ToolCallResult } from '../shared/activity-io';
import { MAX_TOOL_OUTPUT_CHARS } from '../shared/limits';
import type { JsonObject } from '../shared/schemas';
import { repairJson } from '../shared/text';
import { parseActivityInput } from './activity-input';

/**
 * Creates the `callTool` activity. Bad arguments from the model and unknown tools are answered to the
 * model as an error output (so it can correct itself); a tool that throws is retried. The tool works on
 * a copy of the context: the top-level keys it changed come back as the patch. Text Postgres could not
 * store is repaired, and an output longer than 64,000 characters is cut.
 */
export function createCallTool(agents: AgentRegistry) {
  return async function callTool(rawInput: ToolCallInput): Promise<ToolCallResult> {
    const input = parseActivityInput(ToolCallInput, rawInput, 'callTool');
    const { name } = input.call;
    const tool = agents.find(input.agent || agents.defaultAgent)?.tools.find((candidate) => candidate.name === name);
    if (!tool) return { output: `Error: the agent ${input.agent} has no tool named ${name}.` };
    const context = structuredClone(input.context);
    const output = await tool.invoke(input.call.arguments, context, { sessionId: input.sessionId, agent: input.agent });
    const contextPatch = changedKeys(input.context, context);
    return repairJson({ output: capOutput(output), ...(contextPatch ? { contextPatch } : {}) });
  };
}

/** The top-level keys of `after` whose JSON differs from `before`, or undefined when none does. */
function changedKeys(before: JsonObject, after: JsonObject): JsonObject | undefined {
  const patch: JsonObject = {};
  for (const [key, value] of Object.entries(after)) {
    if (JSON.stringify(value) !== JSON.stringify(before[key])) patch[key] = value ?? null;
  }
  return Object.keys(patch).length > 0 ? patch : undefined;
}

/** A tool's output cut to MAX_TOOL_OUTPUT_CHARS, with a note for the model that it was cut. */
export function capOutput(output: string): string {
  if (output.length <= MAX_TOOL_OUTPUT_CHARS) return output;
  return `${output.slice(0, MAX_TOOL_OUTPUT_CHARS)}\n[output cut: ${output.length - MAX_TOOL_OUTPUT_CHARS} more characters were not kept]`;
}
