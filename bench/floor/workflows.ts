/**
 * Temporal's floor for a turn: a bare workflow whose update makes the same round trips as a turn (one
 * model call, one Postgres write), with nothing else: no state, no queue, no validation, no window.
 */
import { condition, defineUpdate, proxyActivities, setHandler } from '@temporalio/workflow';
import type { FloorActivities } from './activities';

const { complete, record } = proxyActivities<FloorActivities>({ startToCloseTimeout: '1 minute' });

/** A turn: the message in, the model's reply out. */
export const floorTurn = defineUpdate<string, [string]>('floorTurn');

/** A session that answers turns until it is terminated. */
export async function floorSession(): Promise<void> {
  setHandler(floorTurn, async (message) => {
    const reply = await complete(message);
    await record(message, reply);
    return reply;
  });
  await condition(() => false);
}
