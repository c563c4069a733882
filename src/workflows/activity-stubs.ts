/** The activities as the workflow calls them, with the timeouts and retries each kind needs. */
import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';
import { FailureType } from '../shared/failures';

/**
 * Model calls heartbeat while they wait, so a call lost with its worker is retried within seconds.
 * Transient failures (429, 5xx, timeouts, garbage) retry with backoff; a refused request does not.
 */
export const model = proxyActivities<Pick<Activities, 'callModel' | 'summarize'>>({
  startToCloseTimeout: '5 minutes',
  heartbeatTimeout: '10 seconds',
  retry: {
    initialInterval: '1 second',
    backoffCoefficient: 2,
    maximumInterval: '30 seconds',
    maximumAttempts: 6,
    nonRetryableErrorTypes: [FailureType.ModelRequestRejected, FailureType.UnknownAgentOrTool],
  },
});

/**
 * Tool calls retry a few times; a tool that keeps failing gives the model an error output. They run at
 * least once (each run gets the call's idempotency key) and heartbeat while the tool runs, so a call lost
 * with its worker runs again within seconds rather than after the 2 minutes a call may take.
 */
export const tools = proxyActivities<Pick<Activities, 'callTool'>>({
  startToCloseTimeout: '2 minutes',
  heartbeatTimeout: '10 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumAttempts: 3 },
});

/**
 * Projection writes and reads retry until Postgres is back: a committed change is never lost to an
 * outage. What Postgres refuses for its data fails at once (ProjectionRejected).
 */
export const projection = proxyActivities<Pick<Activities, 'projectTurn' | 'removeItems' | 'readItems' | 'readPopTarget' | 'endSession'>>({
  startToCloseTimeout: '30 seconds',
  retry: {
    initialInterval: '1 second',
    backoffCoefficient: 2,
    maximumInterval: '30 seconds',
    nonRetryableErrorTypes: [FailureType.ProjectionRejected],
  },
});

/** Importing a session document writes all its items in one statement: a large one may take minutes. */
export const importer = proxyActivities<Pick<Activities, 'importSession'>>({
  startToCloseTimeout: '10 minutes',
  retry: {
    initialInterval: '1 second',
    backoffCoefficient: 2,
    maximumInterval: '30 seconds',
    nonRetryableErrorTypes: [FailureType.ProjectionRejected],
  },
});
