/**
 * The retention activities: find sessions whose last change is older than N days, and delete each
 * one through its own queue (so a running turn finishes first; its delete operation then has its
 * executions deleted from Temporal); a session whose workflow has already ended (expired, or closed by
 * an operator) loses its rows directly (leaving its tombstone) and its executions are deleted here.
 */
import { type Client, WorkflowNotFoundError } from '@temporalio/client';
import type { Pool } from 'pg';
import { z } from 'zod';
import { deleteSessionUpdate } from '../shared/messages';
import { WorkflowSessionId } from '../shared/activity-io';
import { endSessionRows, listSessionsUpdatedBefore } from '../postgres/sessions';
import { invalidActivityInput, parseOrFail } from '../shared/parse';
import { deleteSessionExecutions } from './executions';

/** Which sessions one retention pass retires. */
export const RetentionInput = z.object({
  olderThanDays: z.number().int().positive(),
  /** At most this many sessions per pass (the schedule's next pass takes the rest). */
  limit: z.number().int().positive().max(10_000).default(1_000),
});
export type RetentionInput = z.input<typeof RetentionInput>;

/** Creates the retention activities; `temporal` gives the worker's Temporal client. */
export function createRetentionActivities(pool: Pool, temporal: () => Promise<Client>) {
  return {
    /** Ids of the sessions last changed more than N days ago. */
    async listSessionsToRetire(raw: RetentionInput): Promise<string[]> {
      const input = parseOrFail(RetentionInput, raw, 'listSessionsToRetire', invalidActivityInput);
      const cutoff = new Date(Date.now() - input.olderThanDays * 24 * 3600 * 1000);
      return listSessionsUpdatedBefore(pool, cutoff, input.limit);
    },
    /** Deletes one session: through its workflow when it runs, else its rows directly. */
    async retireSession(rawId: string): Promise<void> {
      const sessionId = WorkflowSessionId.parse(rawId);
      const client = await temporal();
      try {
        const handle = client.workflow.getHandle(sessionId);
        const { status } = await handle.describe();
        if (status.name === 'RUNNING') {
          await handle.executeUpdate(deleteSessionUpdate, { args: [{ id: `retention:${sessionId}` }], updateId: `retention:${sessionId}` });
          return;
        }
      } catch (error) {
        if (!(error instanceof WorkflowNotFoundError)) throw error;
      }
      await endSessionRows(pool, sessionId, 'deleted');
      await deleteSessionExecutions(client, sessionId);
    },
  };
}
