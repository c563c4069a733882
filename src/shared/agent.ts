/**
 * What the workflow and the client know of agents: their names, the model settings an agent may set,
 * and how a handoff reads in the session. Workflow-safe; the agents themselves live in the worker.
 */
import { z } from 'zod';

/** A tool name as the Chat Completions API accepts it. */
export const TOOL_NAME_PATTERN = /^[a-zA-Z0-9_-]{1,64}$/;

/** Model settings an agent may set; unset ones use the endpoint's defaults. */
export const ModelSettings = z
  .object({
    temperature: z.number().min(0).max(2).optional(),
    topP: z.number().min(0).max(1).optional(),
    maxTokens: z.number().int().positive().optional(),
    parallelToolCalls: z.boolean().optional(),
  })
  .strict();
export type ModelSettings = z.infer<typeof ModelSettings>;

/** The tool name a handoff to `agent` is offered under (the Agents SDK's own rule). */
export function handoffToolName(agent: string): string {
  return `transfer_to_${agent.toLowerCase().replace(/[^a-z0-9_]+/g, '_')}`.slice(0, 64);
}

/** The output a handoff's function call gets in the session (the Agents SDK's own shape). */
export function handoffOutput(agent: string): string {
  return JSON.stringify({ assistant: agent });
}
