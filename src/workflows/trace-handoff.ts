/**
 * Carries a caller's trace from an update or signal handler to the loop that runs its operation. The
 * handler runs in the caller's trace (Temporal's OpenTelemetry interceptors start it from the update's
 * headers), but the operation runs later, from the workflow's main loop; without this handoff the model
 * and tool calls of a turn would hang under the run's first request instead of the message's own.
 * Without tracing (no interceptors in the bundle) the active context is the empty root and nothing is
 * kept. It changes no command: replay is unaffected.
 */
import { context, ROOT_CONTEXT, type Context } from '@opentelemetry/api';
import type { Operation } from '../shared/session-snapshot';

/** The trace each queued operation was submitted in, until the loop runs it. */
export class TraceHandoff {
  private readonly submittedIn = new WeakMap<Operation, Context>();

  /** Notes the trace active now (a handler's) as `operation`'s. */
  submitted(operation: Operation): Operation {
    const active = context.active();
    if (active !== ROOT_CONTEXT) this.submittedIn.set(operation, active);
    return operation;
  }

  /** Runs `operation` with `run` in the trace it was submitted in (or the loop's own, for one carried over a rollover). */
  runIn<T>(operation: Operation, run: () => Promise<T>): Promise<T> {
    const submitted = this.submittedIn.get(operation);
    if (!submitted) return run();
    this.submittedIn.delete(operation);
    return context.with(submitted, run);
  }
}
