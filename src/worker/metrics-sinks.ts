/**
 * The worker's end of the workflow's `sessionMetrics` sink: each event the conversation workflow
 * reports (a turn's end, a pause for approvals, a rollover) becomes Prometheus metrics in this process.
 * Sinks are not called while a history replays, so a workflow evicted from the cache and replayed
 * counts nothing twice.
 */
import type { InjectedSinks } from '@temporalio/worker';
import type { SessionSinks } from '../shared/metrics-sink';
import { recordApprovalsSettled, recordApprovalsWaiting, recordRollover, recordTurn } from '../telemetry/metrics';

/**
 * The `sinks` of Worker.create that turn the workflow's events into metrics; `defaultAgent` names
 * turns of the registry's first agent (a session's first turn, before the model call names it).
 */
export function sessionMetricsSinks(defaultAgent: string): InjectedSinks<SessionSinks> {
  return {
    sessionMetrics: {
      turnStarted: {
        fn: (_info, { sessionId, resumed }) => {
          if (resumed) recordApprovalsSettled(sessionId);
        },
      },
      turnEnded: {
        fn: (_info, event) => {
          recordTurn({ agent: event.agent || defaultAgent, outcome: event.outcome, durationSeconds: event.durationMs / 1000, failureType: event.failureType });
          if (event.outcome === 'paused') recordApprovalsWaiting(event.sessionId, event.approvalsWaiting ?? 0);
        },
      },
      rolledOver: { fn: () => recordRollover() },
    },
  };
}
