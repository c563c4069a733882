/**
 * Runs agents written with `@openai/agents` unchanged: their instructions (static or dynamic), function
 * tools (with their approval policies) and handoffs become the shape a worker runs. The model calls go
 * through the worker's own endpoint; `@openai/agents` is loaded only when such an agent is registered.
 */
import type * as AgentsSdk from '@openai/agents';
import { z } from 'zod';
import type { HostedTool, ModelSettings } from '../shared/agent';
import type { JsonObject } from '../shared/schemas';
import { outputText } from './from-definition';
import type { RunnableAgent, RunnableHandoff, RunnableOutput, RunnableTool, ToolCallInfo } from './runnable';
import { runnableOutput, strictSchema } from './output';

/** An agent built with `@openai/agents`, of any context and output type. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AgentsSdkAgent = AgentsSdk.Agent<any, any>;

/** Whether a registered value is an `@openai/agents` Agent (recognised by shape, so that no SDK is loaded for the others). */
export function isAgentsSdkAgent(value: unknown): value is AgentsSdkAgent {
  const candidate = value as Partial<AgentsSdkAgent> | null;
  return typeof candidate === 'object' && candidate !== null && typeof candidate.getSystemPrompt === 'function' && typeof candidate.asTool === 'function';
}

/** The call each RunContext a tool was given serves (see toolCallOf). */
const toolCalls = new WeakMap<object, ToolCallInfo>();

/**
 * Which call an `@openai/agents` tool's `execute(input, runContext)` serves, and which run of it:
 * `toolCallOf(runContext)?.idempotencyKey` is the same on every run of that call (tools run at least
 * once), `attempt` counts the runs. Undefined for a RunContext the worker did not give a tool.
 * (The call is also in `execute`'s third argument, `details.toolCall`, with `details.signal`.)
 */
export function toolCallOf(runContext: unknown): ToolCallInfo | undefined {
  return typeof runContext === 'object' && runContext !== null ? toolCalls.get(runContext) : undefined;
}

function loadSdk(): typeof AgentsSdk {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- an optional peer dependency, loaded only when an SDK agent is registered
    return require('@openai/agents') as typeof AgentsSdk;
  } catch (error) {
    throw new Error('an @openai/agents Agent was registered, but the @openai/agents package cannot be loaded: npm install @openai/agents', { cause: error });
  }
}

/** The runnable form of an SDK agent, and the SDK agents its handoffs lead to (to register them too). */
export function fromAgentsSdk(agent: AgentsSdkAgent): { runnable: RunnableAgent; targets: AgentsSdkAgent[] } {
  const sdk = loadSdk();
  const handoffs = agent.handoffs.map((target) => sdk.getHandoff(target));
  const hostedTools: HostedTool[] = [];
  const tools = agent.tools.flatMap((tool): RunnableTool[] => {
    if (tool.type === 'hosted_tool') {
      hostedTools.push(hostedToolOf(agent.name, tool));
      return [];
    }
    if (tool.type !== 'function') {
      throw new Error(`the agent "${agent.name}" has a ${tool.type} tool "${tool.name}": only function tools run durably`);
    }
    return [
      {
        name: tool.name,
        description: tool.description,
        parameters: tool.parameters as unknown as Record<string, unknown>,
        needsApproval: async (context, argumentsJson) => tool.needsApproval(new sdk.RunContext(context), parseArguments(argumentsJson), undefined),
        invoke: async (argumentsJson, context, run) => {
          const runContext = new sdk.RunContext(context);
          toolCalls.set(runContext, { callId: run.callId, idempotencyKey: run.idempotencyKey, attempt: run.attempt, signal: run.signal });
          const toolCall = { type: 'function_call' as const, callId: run.callId, name: tool.name, arguments: argumentsJson };
          // The SDK turns a tool's errors into text itself (its errorFunction): that text is an output here, not a marked failure.
          return { output: outputText(await tool.invoke(runContext, argumentsJson, { toolCall, signal: run.signal })), failed: false };
        },
      },
    ];
  });
  const output = sdkOutput(agent);
  const runnable: RunnableAgent = {
    name: agent.name,
    model: typeof agent.model === 'string' && agent.model !== '' ? agent.model : undefined,
    settings: modelSettings(agent.modelSettings),
    instructions: async (context: JsonObject) => (await agent.getSystemPrompt(new sdk.RunContext(context))) ?? '',
    tools,
    ...(hostedTools.length > 0 ? { hostedTools } : {}),
    ...(output ? { output } : {}),
    handoffs: handoffs.map((handoff): RunnableHandoff => ({ toolName: handoff.toolName, description: handoff.toolDescription, target: handoff.agentName })),
  };
  return { runnable, targets: handoffs.map((handoff) => handoff.agent as AgentsSdkAgent) };
}

/** An SDK hosted tool (`webSearchTool()`, `fileSearchTool([...])`, `codeInterpreterTool()`) as the worker offers it. */
function hostedToolOf(agentName: string, tool: { name: string; providerData?: Record<string, unknown> }): HostedTool {
  const data = tool.providerData ?? {};
  const type = typeof data.type === 'string' ? data.type : tool.name;
  if (type === 'web_search' || type === 'web_search_preview') return { type: 'web_search' };
  if (type === 'code_interpreter') return { type: 'code_interpreter' };
  if (type === 'file_search') {
    const ids = Array.isArray(data.vector_store_ids) ? data.vector_store_ids.filter((id): id is string => typeof id === 'string') : [];
    if (ids.length === 0) throw new Error(`the agent "${agentName}" has a file_search tool without vector store ids`);
    return { type: 'file_search', vectorStoreIds: ids };
  }
  throw new Error(`the agent "${agentName}" has a hosted tool "${tool.name}" (${type}): the worker offers web_search, file_search and code_interpreter only`);
}

/** An SDK agent's `outputType` as structured output: a zod object, or a JSON schema definition; none for 'text'. */
function sdkOutput(agent: AgentsSdkAgent): RunnableOutput | undefined {
  const outputType: unknown = agent.outputType;
  if (outputType === undefined || outputType === 'text') return undefined;
  if (outputType instanceof z.ZodType) return runnableOutput(agent.name, outputType);
  const definition = outputType as { type?: unknown; schema?: unknown };
  if (definition.type === 'json_schema' && definition.schema && typeof definition.schema === 'object') {
    return { schema: strictSchema(definition.schema), check: (value) => ({ value }) };
  }
  throw new Error(`the agent "${agent.name}" has an outputType the worker cannot send (give a zod object schema or a JSON schema definition)`);
}

function parseArguments(argumentsJson: string): unknown {
  try {
    return JSON.parse(argumentsJson || '{}');
  } catch {
    return {};
  }
}

function modelSettings(settings: AgentsSdk.ModelSettings): ModelSettings {
  return {
    ...(settings.temperature !== undefined ? { temperature: settings.temperature } : {}),
    ...(settings.topP !== undefined ? { topP: settings.topP } : {}),
    ...(settings.maxTokens !== undefined ? { maxTokens: settings.maxTokens } : {}),
    ...(settings.parallelToolCalls !== undefined ? { parallelToolCalls: settings.parallelToolCalls } : {}),
  };
}
