/**
 * How activities log what they did: one line at info when a step is done, with how long it took. The
 * worker adds the session id, turn, agent and message id of the activity's input, and Temporal its own
 * fields (activity type, attempt, workflow id and run id); a failed attempt is Temporal's "Activity
 * failed" line, with the error.
 */
import { log } from '@temporalio/activity';

/** Starts a clock; the function returned logs `message` at info with `fields` and `durationMs`, the milliseconds since. */
export function timedLog(): (message: string, fields?: Record<string, unknown>) => void {
  const started = performance.now();
  return (message, fields = {}) => log.info(message, { ...fields, durationMs: Math.round(performance.now() - started) });
}
