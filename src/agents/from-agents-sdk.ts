/**
 * Runs agents written with `@openai/agents` unchanged: their instructions (static or dynamic), function
 * tools (with their approval policies) and handoffs become the shape a worker runs. The model calls go
 * through the worker's own endpoint; `@openai/agents` is loaded only when such an agent is registered.
 */
import type * as AgentsSdk from '@openai/agents';
import type { ModelSettings } from '../shared/agent';
import type { JsonObject } from '../shared/schemas';
import { outputText } from './from-definition';
import type { RunnableAgent, RunnableHandoff, RunnableTool } from './runnable';

/** An agent built with `@openai/agents`, of any context and output type. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AgentsSdkAgent = AgentsSdk.Agent<any, any>;

/** Whether a registered value is an `@openai/agents` Agent (recognised by shape, so that no SDK is loaded for the others). */
export function isAgentsSdkAgent(value: unknown): value is AgentsSdkAgent {
  const candidate = value as Partial<AgentsSdkAgent> | null;
  return typeof candidate === 'object' && candidate !== null && typeof candidate.getSystemPrompt === 'function' && typeof candidate.asTool === 'function';
}

function loadSdk(): typeof AgentsSdk {
  try {
    return require('@openai/agents') as typeof AgentsSdk;
  } catch (error) {
    throw new Error('an @openai/agents Agent was registered, but the @openai/agents package cannot be loaded: npm install @openai/agents', { cause: error });
  }
}

/** The runnable form of an SDK agent, and the SDK agents its handoffs lead to (to register them too). */
export function fromAgentsSdk(agent: AgentsSdkAgent): { runnable: RunnableAgent; targets: AgentsSdkAgent[] } {
  const sdk = loadSdk();
  const handoffs = agent.handoffs.map((target) => sdk.getHandoff(target));
  const tools = agent.tools.map((tool): RunnableTool => {
    if (tool.type !== 'function') {
      throw new Error(`the agent "${agent.name}" has a ${tool.type} tool "${tool.name}": only function tools run durably`);
    }
    return {
      name: tool.name,
      description: tool.description,
      parameters: tool.parameters as unknown as Record<string, unknown>,
      needsApproval: async (context, argumentsJson) =>
        tool.needsApproval(new sdk.RunContext(context), parseArguments(argumentsJson), undefined),
      invoke: async (argumentsJson, context) => outputText(await tool.invoke(new sdk.RunContext(context), argumentsJson)),
    };
  });
  const runnable: RunnableAgent = {
    name: agent.name,
    model: typeof agent.model === 'string' && agent.model !== '' ? agent.model : undefined,
    settings: modelSettings(agent.modelSettings),
    instructions: async (context: JsonObject) => (await agent.getSystemPrompt(new sdk.RunContext(context))) ?? '',
    tools,
    handoffs: handoffs.map(
      (handoff): RunnableHandoff => ({ toolName: handoff.toolName, description: handoff.toolDescription, target: handoff.agentName }),
    ),
  };
  return { runnable, targets: handoffs.map((handoff) => handoff.agent as AgentsSdkAgent) };
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
