/** Turns an agent declared with `defineAgent` into the shape a worker runs. */
import { z } from 'zod';
import { handoffToolName } from '../shared/agent';
import { describeIssues, type JsonObject } from '../shared/schemas';
import type { AgentDefinition, AnyTool, ToolRunContext } from './define';
import type { RunInfo, RunnableAgent, RunnableTool, ToolRunInfo } from './runnable';
import { runnableOutput } from './output';

/** A tool's code: what `execute` would be, supplied apart from the declaration. */
export type ToolImplementation = (args: never, run: ToolRunContext<JsonObject>) => unknown;

/** The runnable form of a declared agent; `implementations` supplies tools declared without `execute`. */
export function fromDefinition(agent: AgentDefinition, implementations: Record<string, ToolImplementation>): RunnableAgent {
  const instructions = agent.instructions;
  return {
    name: agent.name,
    model: agent.model,
    settings: agent.settings,
    maxModelCalls: agent.maxModelCalls,
    ...(agent.hostedTools && agent.hostedTools.length > 0 ? { hostedTools: agent.hostedTools } : {}),
    ...(agent.outputType ? { output: runnableOutput(agent.name, agent.outputType) } : {}),
    instructions: async (context, run) => (typeof instructions === 'string' ? instructions : instructions({ ...run, context })),
    tools: (agent.tools ?? []).map((tool) => runnableTool(agent.name, tool, implementations[tool.name])),
    handoffs: (agent.handoffs ?? []).map((target) => {
      const name = typeof target === 'string' ? target : target.name;
      const about = typeof target === 'string' ? undefined : target.handoffDescription;
      return {
        toolName: handoffToolName(name),
        description: `Hand off to the ${name} agent to handle the request.${about ? ` ${about}` : ''}`,
        target: name,
      };
    }),
  };
}

function runnableTool(agentName: string, tool: AnyTool, implementation: ToolImplementation | undefined): RunnableTool {
  const execute = tool.execute ?? implementation;
  if (!execute) {
    throw new Error(
      `the tool "${tool.name}" of the agent "${agentName}" has no implementation: give it an execute function ` +
        `or pass startWorker({ tools: { ${tool.name}: async (args, run) => ... } })`,
    );
  }
  const { $schema: _ignored, ...parameters } = z.toJSONSchema(tool.parameters) as Record<string, unknown>;
  const parse = (argumentsJson: string): { args: unknown } | { error: string } => {
    let json: unknown;
    try {
      json = JSON.parse(argumentsJson || '{}');
    } catch {
      return { error: `Error: the arguments for ${tool.name} are not valid JSON.` };
    }
    const args = tool.parameters.safeParse(json);
    return args.success ? { args: args.data } : { error: `Error: invalid arguments for ${tool.name}: ${describeIssues(args.error)}` };
  };
  const needsApproval = tool.needsApproval ?? false;
  return {
    name: tool.name,
    description: tool.description,
    parameters,
    needsApproval: async (context: JsonObject, argumentsJson: string, run: RunInfo) => {
      if (typeof needsApproval === 'boolean') return needsApproval;
      const parsed = parse(argumentsJson);
      return 'args' in parsed && (await needsApproval(parsed.args, { ...run, context }));
    },
    invoke: async (argumentsJson: string, context: JsonObject, run: ToolRunInfo) => {
      const parsed = parse(argumentsJson);
      if ('error' in parsed) return { output: parsed.error, failed: true };
      return { output: outputText(await (execute as (args: unknown, run: ToolRunContext<JsonObject>) => unknown)(parsed.args, { ...run, context })), failed: false };
    },
  };
}

/** What a tool returned, as the text the model reads: strings as they are, anything else as JSON. */
export function outputText(result: unknown): string {
  if (typeof result === 'string') return result;
  return JSON.stringify(result) ?? '';
}
