/**
 * The `retention` workflow: one pass that deletes the sessions last changed more than N days ago.
 * `agent-sessions retention` runs it once; `--schedule` makes a Temporal Schedule run it daily.
 */
import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { RetentionInput } from '../activities/retention';

const retire = proxyActivities<Pick<Activities, 'listSessionsToRetire' | 'retireSession'>>({
  startToCloseTimeout: '2 minutes',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 10 },
});

/** Deletes the sessions older than the cutoff; returns how many it deleted. */
export async function retention(input: RetentionInput): Promise<{ deleted: number }> {
  const ids = await retire.listSessionsToRetire(input);
  for (const id of ids) await retire.retireSession(id);
  return { deleted: ids.length };
}
