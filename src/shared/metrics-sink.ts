/**
 * The events the workflow reports for metrics through a Temporal sink (`sessionMetrics`): a sink call
 * leaves the sandbox after the activation, is never recorded in history and is not made while a
 * history replays, so metrics count each event once and the workflow's commands do not change.
 */
import type { Sink, Sinks } from '@temporalio/workflow';

/** A turn that ended, failed or paused, with its duration in workflow time. */
export interface TurnEndedEvent {
  sessionId: string;
  /** The agent that ran it ('' for the registry's first agent, before the model named it). */
  agent: string;
  outcome: 'completed' | 'failed' | 'paused';
  durationMs: number;
  /** The failure type a failed turn gave its caller. */
  failureType?: string;
  /** The tool calls a paused turn waits on for decisions. */
  approvalsWaiting?: number;
}

/** What the `sessionMetrics` sink takes. */
export interface SessionMetricsSink extends Sink {
  /** A turn started or resumed: a resumed turn's approvals no longer wait. */
  turnStarted(event: { sessionId: string; resumed: boolean }): void;
  turnEnded(event: TurnEndedEvent): void;
  /** The run continues as new. */
  rolledOver(event: { sessionId: string }): void;
}

/** The sinks the conversation workflow calls. */
export interface SessionSinks extends Sinks {
  sessionMetrics: SessionMetricsSink;
}
