/** The bare workflow's activities: one chat completion, one INSERT. */
import type OpenAI from 'openai';
import type { Pool } from 'pg';
import { OFFLINE_MODEL_ID } from '../../src/offline-model/wire';

/** The activities, on the given model client and pool. */
export function floorActivities(openai: OpenAI, pool: Pool) {
  return {
    async complete(message: string): Promise<string> {
      const completion = await openai.chat.completions.create({ model: OFFLINE_MODEL_ID, messages: [{ role: 'user', content: message }] });
      return completion.choices[0].message.content ?? '';
    },
    async record(message: string, reply: string): Promise<void> {
      await pool.query('INSERT INTO bench_floor_turns (message, reply) VALUES ($1, $2)', [message, reply]);
    },
  };
}

/** Their signatures, as the workflow proxies them. */
export type FloorActivities = ReturnType<typeof floorActivities>;
