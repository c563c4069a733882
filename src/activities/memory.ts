/**
 * Long-term memory in the model activities: the user's memories placed in the instructions at every
 * model call, and the built-in `remember`, `recall` and `forget` tools. Every query is filtered by the
 * session's user, so one user's memories never reach another's session.
 */
import type { Pool } from 'pg';
import { z } from 'zod';
import type { ToolAnswer } from '../agents';
import { deleteMemory, insertMemory, selectMemories } from '../postgres/memories';
import { MEMORY_TOOL_NAMES, MemoryInput, MemorySelector, type Memory, type MemoryRecall } from '../shared/memory';
import { describeIssues } from '../shared/schemas';

/** The most memories placed in instructions or read by `recall`, whatever the setting. */
export const MAX_RECALLED_MEMORIES = 200;

/** How many of a user's latest memories keyword recall searches. */
const KEYWORD_CANDIDATES = 1_000;

/** How many memories `recall` answers when the model gives no query. */
const RECALL_TOOL_LATEST = 20;

/** A built-in memory tool as the Chat Completions API declares it. */
interface MemoryToolDeclaration {
  name: (typeof MEMORY_TOOL_NAMES)[number];
  description: string;
  parameters: Record<string, unknown>;
}

const RememberArgs = MemoryInput;
const RecallArgs = z.object({ query: z.string().max(1_000).optional() }).strict();
const ForgetArgs = MemorySelector;

/** What the model sees of the memory tools. */
export const MEMORY_TOOLS: MemoryToolDeclaration[] = [
  {
    name: 'remember',
    description:
      'Stores a lasting fact about the user (a preference, a name, a plan) for every later conversation. ' +
      'Give a short key (such as "diet") when the fact replaces an earlier one with the same key.',
    parameters: jsonSchema(RememberArgs),
  },
  {
    name: 'recall',
    description: 'Looks up what is remembered about the user; give a query to find the facts that share its words.',
    parameters: jsonSchema(RecallArgs),
  },
  {
    name: 'forget',
    description: 'Forgets one remembered fact about the user, by its id or its key.',
    parameters: {
      type: 'object',
      properties: { id: { type: 'integer', minimum: 1 }, key: { type: 'string' } },
      additionalProperties: false,
    },
  },
];

function jsonSchema(schema: z.ZodType): Record<string, unknown> {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema) as Record<string, unknown>;
  return rest;
}

/** Whether a function call names a built-in memory tool. */
export function isMemoryTool(name: string): boolean {
  return (MEMORY_TOOL_NAMES as readonly string[]).includes(name);
}

/** The lower-case words of a text that say something (three letters or more). */
function words(text: string): Set<string> {
  return new Set(
    text
      .toLowerCase()
      .split(/[^\p{L}\p{N}]+/u)
      .filter((word) => word.length >= 3),
  );
}

/**
 * The memories to recall from a user's memories (most recent first): none, all, the latest N, or the
 * N sharing the most words with `query` (ties to the more recent; a memory sharing none is left out).
 */
export function chooseMemories(memories: Memory[], recall: MemoryRecall, query: string): Memory[] {
  if (recall === 'none') return [];
  if (recall === 'all') return memories.slice(0, MAX_RECALLED_MEMORIES);
  if ('latest' in recall) return memories.slice(0, Math.min(recall.latest, MAX_RECALLED_MEMORIES));
  const wanted = words(query);
  return memories
    .map((memory, index) => ({ memory, index, score: [...words(`${memory.key ?? ''} ${memory.text}`)].filter((word) => wanted.has(word)).length }))
    .filter((scored) => scored.score > 0)
    .sort((a, b) => b.score - a.score || a.index - b.index)
    .slice(0, Math.min(recall.keywords, MAX_RECALLED_MEMORIES))
    .map((scored) => scored.memory);
}

/** The instructions' section that lists recalled memories; empty when there are none. */
export function memorySection(memories: Memory[]): string {
  if (memories.length === 0) return '';
  const lines = memories.map((memory) => `- [#${memory.id}${memory.key ? ` ${memory.key}` : ''}] ${memory.text}`);
  return `\n\nWhat you remember about this user (from earlier conversations):\n${lines.join('\n')}`;
}

/** The memories a user's turn recalls, read from the store. */
export async function recallMemories(pool: Pool, userId: string, recall: MemoryRecall, query: string): Promise<Memory[]> {
  if (recall === 'none') return [];
  const candidates = recall === 'all' || 'latest' in recall ? MAX_RECALLED_MEMORIES : KEYWORD_CANDIDATES;
  return chooseMemories(await selectMemories(pool, userId, candidates), recall, query);
}

/** Runs a call of a built-in memory tool for the session's user: the output the model reads, failed when the arguments are bad. */
export async function invokeMemoryTool(pool: Pool, call: { name: string; arguments: string }, run: { userId: string; sessionId: string }): Promise<ToolAnswer> {
  let json: unknown;
  try {
    json = JSON.parse(call.arguments || '{}');
  } catch {
    return { output: `Error: the arguments for ${call.name} are not valid JSON.`, failed: true };
  }
  const invalid = (error: z.ZodError) => ({ output: `Error: invalid arguments for ${call.name}: ${describeIssues(error)}`, failed: true });
  const answer = (output: string) => ({ output, failed: false });
  switch (call.name) {
    case 'remember': {
      const args = RememberArgs.safeParse(json);
      if (!args.success) return invalid(args.error);
      const memory = await insertMemory(pool, run.userId, args.data, run.sessionId);
      return answer(`Remembered as #${memory.id}${memory.key ? ` (key ${memory.key})` : ''}.`);
    }
    case 'recall': {
      const args = RecallArgs.safeParse(json);
      if (!args.success) return invalid(args.error);
      const query = args.data.query?.trim();
      const found = await recallMemories(pool, run.userId, query ? { keywords: RECALL_TOOL_LATEST } : { latest: RECALL_TOOL_LATEST }, query ?? '');
      return answer(JSON.stringify(found.map((memory) => ({ id: memory.id, key: memory.key, text: memory.text, updatedAt: memory.updatedAt }))));
    }
    default: {
      const args = ForgetArgs.safeParse(json);
      if (!args.success) return invalid(args.error);
      const removed = await deleteMemory(pool, run.userId, args.data);
      return answer(removed ? `Forgot #${removed.id}.` : 'No remembered fact matched; nothing was forgotten.');
    }
  }
}
