/**
 * Long-term memory per user: facts kept in Postgres across every session of the user, what the
 * built-in memory tools take, and which memories are placed in an agent's instructions. Workflow-safe.
 */
import { z } from 'zod';
import { StorableText, UserId } from './schemas';

/** The longest memory text, in characters. */
export const MAX_MEMORY_TEXT_LENGTH = 4_000;

/** A memory's optional key: at most one memory per user and key (remembering again replaces it). */
export const MemoryKey = z
  .string({ error: 'a memory key must be a string' })
  .min(1, 'a memory key must not be empty')
  .max(200, 'a memory key must be at most 200 characters')
  .pipe(StorableText);
export type MemoryKey = z.infer<typeof MemoryKey>;

/** What is remembered: a fact's text, and a key when the fact replaces an earlier one (`diet`, `name`). */
export const MemoryInput = z
  .object({
    text: z
      .string({ error: 'a memory needs text' })
      .trim()
      .min(1, 'a memory text must not be empty')
      .max(MAX_MEMORY_TEXT_LENGTH, `a memory text must be at most ${MAX_MEMORY_TEXT_LENGTH} characters`)
      .pipe(StorableText),
    key: MemoryKey.optional(),
  })
  .strict();
export type MemoryInput = z.infer<typeof MemoryInput>;

/** Which memory to forget: by id, or by key. */
export const MemorySelector = z.union([z.object({ id: z.number().int().positive() }).strict(), z.object({ key: MemoryKey }).strict()]);
export type MemorySelector = z.infer<typeof MemorySelector>;

/** A stored memory. */
export const Memory = z.object({
  id: z.number().int().positive(),
  userId: UserId,
  key: z.string().nullable(),
  text: z.string(),
  /** The session whose agent (or whose caller) stored it; null when added from outside a session. */
  sourceSession: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type Memory = z.infer<typeof Memory>;

/**
 * Which of a user's memories go into the instructions at the start of every model call: none, all,
 * the latest N, or the N that share the most words with the user's latest message.
 */
export const MemoryRecall = z.union([
  z.literal('none'),
  z.literal('all'),
  z.object({ latest: z.number().int().positive() }).strict(),
  z.object({ keywords: z.number().int().positive() }).strict(),
]);
export type MemoryRecall = z.infer<typeof MemoryRecall>;

/** A worker's memory settings; they apply to sessions that belong to a user. */
export const MemoryOptions = z
  .object({
    /** Which memories the instructions get (the latest 20 when absent). */
    recall: MemoryRecall.default({ latest: 20 }),
    /** Whether agents get the `remember`, `recall` and `forget` tools (yes when absent). */
    tools: z.boolean().default(true),
  })
  .strict();
export type MemoryOptions = z.infer<typeof MemoryOptions>;
export type MemoryOptionsInput = z.input<typeof MemoryOptions>;

/** The names of the built-in memory tools; no agent may declare a tool with one of them. */
export const MEMORY_TOOL_NAMES = ['remember', 'recall', 'forget'] as const;
