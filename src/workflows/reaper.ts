/**
 * The `reapSession` workflow: started (abandoned, so it outlives its parent) by the last step of a
 * session's delete operation, it deletes every run of the session's workflow from Temporal once the
 * session's run has closed; a workflow cannot delete itself while it runs. Its activity retries until
 * the runs are gone, whatever becomes of the caller that asked for the delete or of the worker.
 */
import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';

const executions = proxyActivities<Pick<Activities, 'deleteSessionExecutions'>>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '500 milliseconds', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

/** What the reaper is given: the deleted session's id (its workflow id). */
export interface ReapInput {
  sessionId: string;
}

/** Deletes every run of the deleted session's workflow once its latest run has closed; returns how many it deleted. */
export async function reapSession(input: ReapInput): Promise<{ deletedRuns: number }> {
  return { deletedRuns: await executions.deleteSessionExecutions(input.sessionId) };
}
