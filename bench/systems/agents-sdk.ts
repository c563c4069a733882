/** `@openai/agents` as a bench system: its own run() with a MemorySession, in this process (not durable). */
import { Agent, MemorySession, OpenAIProvider, run, setTracingDisabled, tool, type AgentInputItem } from '@openai/agents';
import { z } from 'zod';
import { OFFLINE_MODEL_ID } from '../../src/offline-model/wire';
import { INSTRUCTIONS, LOOKUP_ORDER, prefillTurns } from '../script';
import type { BenchSystem } from './system';

/** The SDK's agent with the same tool, on the Chat Completions endpoint of the offline model. */
export async function agentsSdkSystem(baseURL: string): Promise<BenchSystem> {
  setTracingDisabled(true);
  const model = await new OpenAIProvider({ baseURL, apiKey: 'offline', useResponses: false }).getModel(OFFLINE_MODEL_ID);
  const lookupOrder = tool({
    name: LOOKUP_ORDER.name,
    description: LOOKUP_ORDER.description,
    parameters: z.object({ order_id: z.string() }),
    execute: ({ order_id }) => LOOKUP_ORDER.answer(order_id),
  });
  const agent = new Agent({ name: 'support', instructions: INSTRUCTIONS, model, tools: [lookupOrder] });
  const sessions = new Map<string, MemorySession>();
  return {
    name: '@openai/agents run() + MemorySession (in-process, not durable)',
    async prefill(sessionId, turns) {
      const session = new MemorySession();
      const items: AgentInputItem[] = prefillTurns(turns).flatMap(({ user, assistant }) => [
        { type: 'message', role: 'user', content: user },
        { type: 'message', role: 'assistant', status: 'completed', content: [{ type: 'output_text', text: assistant }] },
      ]);
      await session.addItems(items);
      sessions.set(sessionId, session);
    },
    async turn(sessionId, message) {
      const result = await run(agent, message, { session: sessions.get(sessionId) });
      return String(result.finalOutput ?? '');
    },
    close: async () => sessions.clear(),
  };
}
