/**
 * The workflow's metric events, sent through the `sessionMetrics` sink (see src/shared/metrics-sink.ts):
 * never recorded in history, not sent while replaying, so calling them changes no command. Outside a
 * workflow (unit tests of the session's state) they do nothing.
 */
import { inWorkflowContext, proxySinks } from '@temporalio/workflow';
import type { SessionMetricsSink, SessionSinks } from '../shared/metrics-sink';

const { sessionMetrics } = proxySinks<SessionSinks>();

/** Sends one metric event when running in a workflow. */
function send<Event extends keyof SessionMetricsSink>(event: Event, ...args: Parameters<SessionMetricsSink[Event]>): void {
  if (inWorkflowContext()) (sessionMetrics[event] as (...args: Parameters<SessionMetricsSink[Event]>) => void)(...args);
}

/** The workflow's metric events. */
export const metricEvents = {
  turnStarted: (...args: Parameters<SessionMetricsSink['turnStarted']>) => send('turnStarted', ...args),
  turnEnded: (...args: Parameters<SessionMetricsSink['turnEnded']>) => send('turnEnded', ...args),
  rolledOver: (...args: Parameters<SessionMetricsSink['rolledOver']>) => send('rolledOver', ...args),
};
