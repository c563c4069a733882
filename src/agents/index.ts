// src/agents: declaring agents and tools, and the registry a worker runs them from; may import shared only.
/** Declaring agents and tools, and the registry a worker serves them from. */
export { defineAgent, defineTool, type AgentDefinition, type AnyTool, type Instructions, type RunContext, type ToolDefinition, type ToolRunContext } from './define';
export { AgentRegistry, type RegisteredAgent, type ToolImplementations } from './registry';
export type { ToolImplementation } from './from-definition';
export type { RunInfo, RunnableAgent, RunnableHandoff, RunnableTool, ToolAnswer, ToolCallInfo, ToolRunInfo } from './runnable';
export { toolCallOf } from './from-agents-sdk';
