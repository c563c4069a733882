/**
 * A user whose preferences are remembered across sessions: the chef stores lasting preferences with
 * the built-in `remember` tool, and every later session of the same user starts with them in its
 * instructions. Sessions belong to a user when they start (`send --user ID`).
 * Run: npx agent-sessions dev --agents examples/preferences/agents.ts
 */
import { defineAgent, type MemoryOptions } from 'agent-sessions/worker';

export const chef = defineAgent({
  name: 'chef',
  instructions: ({ userId, memories }) =>
    `You suggest recipes to ${userId ?? 'a guest'}. Respect every remembered preference. When the user states a lasting ` +
    'preference (a diet, an allergy, a dislike, the size of the household), store it with the remember tool under a ' +
    `short key such as "diet", so that it replaces what was known.${memories?.length ? '' : ' You know nothing about this user yet.'}`,
});

export const agents = [chef];

/** Every memory of the user goes into the instructions (a handful of preferences, so all of them). */
export const memory: MemoryOptions = { recall: 'all' };
