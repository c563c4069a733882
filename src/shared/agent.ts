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

/**
 * Which OpenAI API a worker speaks: `chat_completions` (the default: every OpenAI-compatible server,
 * Ollama, vLLM, LiteLLM…, speaks it) or `responses` (OpenAI's Responses API: reasoning items carried
 * across calls, hosted tools). The names are the Agents SDK's own (`OPENAI_API`).
 */
export const OpenAiApi = z.enum(['chat_completions', 'responses']);
export type OpenAiApi = z.infer<typeof OpenAiApi>;

/** The API a worker speaks when nothing says otherwise. */
export const DEFAULT_OPENAI_API: OpenAiApi = 'chat_completions';

/**
 * A tool the provider runs itself (Responses API only): web search, file search over vector stores,
 * a code interpreter. Their calls are stored, streamed and shown; the worker runs nothing for them.
 */
export const HostedTool = z.discriminatedUnion('type', [
  z.object({ type: z.literal('web_search') }).strict(),
  z.object({ type: z.literal('file_search'), vectorStoreIds: z.array(z.string().min(1)).min(1, 'file_search needs at least one vector store id') }).strict(),
  z.object({ type: z.literal('code_interpreter') }).strict(),
]);
export type HostedTool = z.infer<typeof HostedTool>;
