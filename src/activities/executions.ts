/**
 * Deleting a session's Temporal executions: every run of its continue-as-new chain, history and all,
 * once the latest has closed (a workflow cannot delete itself while it runs). Used by the `reapSession`
 * workflow the delete operation starts (durable: retried until done, whoever asked), by retention for
 * sessions whose workflow had already ended, and by the client when it deletes an expired session.
 */
import { ApplicationFailure } from '@temporalio/common';
import type { Client } from '@temporalio/client';
import { WorkflowSessionId } from '../shared/activity-io';

/** gRPC NOT_FOUND: the run (or the id) is not, or no longer, in Temporal. */
const NOT_FOUND = 5;

function isNotFound(error: unknown): boolean {
  for (let current = error, depth = 0; current && depth < 5; depth++) {
    if ((current as { code?: unknown }).code === NOT_FOUND) return true;
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}

/** The run ids of the id's latest chain, newest first, as far back as Temporal still has them. */
async function chainOf(client: Client, workflowId: string): Promise<{ runs: string[]; open: boolean }> {
  const namespace = client.options.namespace;
  let latest;
  try {
    latest = await client.workflowService.describeWorkflowExecution({ namespace, execution: { workflowId } });
  } catch (error) {
    if (isNotFound(error)) return { runs: [], open: false };
    throw error;
  }
  const open = latest.workflowExecutionInfo?.status === 1; // WORKFLOW_EXECUTION_STATUS_RUNNING
  const runs: string[] = [];
  let runId: string | undefined = latest.workflowExecutionInfo?.execution?.runId ?? undefined;
  while (runId) {
    runs.push(runId);
    try {
      const page = await client.workflowService.getWorkflowExecutionHistory({ namespace, execution: { workflowId, runId }, maximumPageSize: 1 });
      runId = page.history?.events?.[0]?.workflowExecutionStartedEventAttributes?.continuedExecutionRunId || undefined;
    } catch (error) {
      // An older run already deleted (a retried pass): the chain ends here.
      if (isNotFound(error)) break;
      throw error;
    }
  }
  return { runs, open };
}

/**
 * Deletes every run of the session's workflow id, oldest first (so a pass cut short can walk the
 * chain again from the latest run); returns how many runs it deleted. Throws a retryable failure
 * while the latest run is still open (it is closing: the delete operation has just ended it).
 */
export async function deleteSessionExecutions(client: Client, rawId: string): Promise<number> {
  const workflowId = WorkflowSessionId.parse(rawId);
  const namespace = client.options.namespace;
  const { runs, open } = await chainOf(client, workflowId);
  if (open) throw ApplicationFailure.retryable(`the session "${workflowId}" is still closing; its executions are deleted once it has closed`, 'SessionStillOpen');
  let deleted = 0;
  for (const runId of [...runs].reverse()) {
    try {
      await client.workflowService.deleteWorkflowExecution({ namespace, workflowExecution: { workflowId, runId } });
      deleted += 1;
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
  }
  return deleted;
}

/** Creates the activity that deletes a deleted session's executions; `temporal` gives the worker's Temporal client. */
export function createExecutionActivities(temporal: () => Promise<Client>) {
  return {
    /** Deletes every run of a deleted session's workflow once it has closed (retried while it closes). */
    async deleteSessionExecutions(sessionId: string): Promise<number> {
      return deleteSessionExecutions(await temporal(), sessionId);
    },
  };
}
