/**
 * What the session's workflow answers by query: its context, status (with the activities Temporal is
 * retrying), the latest items it holds in memory, and the tool calls waiting for approval.
 */
import { getContextQuery, getItemsQuery, getPendingApprovalsQuery, getStatusQuery } from '../shared/messages';
import { GetItemsArgs, type JsonObject, type RetryingActivity, type SessionItem, type SessionStatus } from '../shared/schemas';
import type { PendingApproval } from '../shared/approvals';
import { check } from './checks';
import type { Transport } from './transport';

/** The session's typed context. */
export async function context(transport: Transport, sessionId: string): Promise<JsonObject> {
  return transport.query(sessionId, (handle) => handle.query(getContextQuery));
}

/** The session's counters, window, settings and state, with the activities being retried. */
export async function status(transport: Transport, sessionId: string): Promise<SessionStatus> {
  const [state, retrying] = await Promise.all([transport.query(sessionId, (handle) => handle.query(getStatusQuery)), retryingActivities(transport, sessionId)]);
  return { ...state, retrying };
}

/** The latest items the workflow holds in memory (at most 50), large content read back when connected. */
export async function workflowItems(transport: Transport, sessionId: string, options: { limit?: number }): Promise<SessionItem[]> {
  const args = check(GetItemsArgs, options, 'invalid limit');
  return transport.resolved(sessionId, await transport.query(sessionId, (handle) => handle.query(getItemsQuery, args)));
}

/** The tool calls of the session that wait for a human's decision. */
export async function pendingApprovals(transport: Transport, sessionId: string): Promise<PendingApproval[]> {
  return transport.query(sessionId, (handle) => handle.query(getPendingApprovalsQuery));
}

/** The session's activities that failed and are being retried, from Temporal's description of the run (none when it cannot tell). */
async function retryingActivities(transport: Transport, sessionId: string): Promise<RetryingActivity[]> {
  const description = await transport.describeRun(sessionId);
  return (description?.raw.pendingActivities ?? [])
    .filter((pending) => (pending.attempt ?? 1) > 1 || pending.lastFailure)
    .map((pending) => ({
      activity: pending.activityType?.name ?? 'unknown',
      attempt: pending.attempt ?? 1,
      lastError: pending.lastFailure?.message ?? '',
      since: isoTime(pending.scheduledTime) ?? new Date().toISOString(),
      ...(pending.nextAttemptScheduleTime ? { nextAttemptAt: isoTime(pending.nextAttemptScheduleTime) } : {}),
    }));
}

/** A protobuf timestamp as an ISO string. */
function isoTime(timestamp: { seconds?: { toString(): string } | number | null; nanos?: number | null } | null | undefined): string | undefined {
  if (!timestamp?.seconds) return undefined;
  return new Date(Number(timestamp.seconds.toString()) * 1000 + Math.floor((timestamp.nanos ?? 0) / 1e6)).toISOString();
}
