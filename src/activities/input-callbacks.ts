/**
 * Session input callbacks, as in the Agents SDK: a function registered with the worker under a name,
 * which a session names in its settings. It gets the committed window and the turn's own items and
 * returns what the model is sent. It runs before every model call of a turn.
 */
import { ApplicationFailure } from '@temporalio/common';
import { parseOrFail } from '../shared/parse';
import { z } from 'zod';
import { FailureType } from '../shared/failures';
import { Item } from '../shared/schemas';

/** Shapes what the model sees from the session's window and the turn's items. */
export type SessionInputCallback = (history: Item[], turnItems: Item[]) => Item[] | Promise<Item[]>;

/** The worker's input callbacks, by name. */
export type InputCallbacks = Record<string, SessionInputCallback>;

/** The items the model is sent: the callback's answer (checked), or history then turn items. */
export async function applyInputCallback(callbacks: InputCallbacks, name: string | undefined, history: Item[], turnItems: Item[]): Promise<Item[]> {
  if (name === undefined) return [...history, ...turnItems];
  const callback = callbacks[name];
  if (!callback) {
    throw ApplicationFailure.nonRetryable(
      `the session names the input callback "${name}", which this worker does not register; register it with the worker or change the session's settings`,
      FailureType.UnknownAgentOrTool,
    );
  }
  return parseOrFail(z.array(Item), await callback(history, turnItems), `the input callback "${name}" returned invalid items`, (what, reason) =>
    ApplicationFailure.nonRetryable(`${what}: ${reason}`, FailureType.TurnFailed),
  );
}
