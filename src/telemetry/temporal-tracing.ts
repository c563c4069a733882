/**
 * Temporal's OpenTelemetry interceptors (`@temporalio/interceptors-opentelemetry`), set up for a worker
 * (the client's are in `client-tracing.ts`): the trace context travels in the headers of every start, update, signal and activity,
 * and the workflow's spans (made in the sandbox) leave it through a sink into the process's processor.
 */
import { makeWorkflowExporter, OpenTelemetryActivityInboundInterceptor, OpenTelemetryActivityOutboundInterceptor } from '@temporalio/interceptors-opentelemetry/lib/worker';
import type { ActivityInterceptorsFactory, InjectedSinks } from '@temporalio/worker';
import type { OpenTelemetrySinks } from '@temporalio/interceptors-opentelemetry/lib/workflow/definitions';
import type { Tracing } from './tracing';

/**
 * The workflow interceptors module a traced worker's bundle includes (`workflowInterceptorModules` of
 * `bundleWorkflowCode`, when a bundle is built ahead).
 */
export const TRACING_WORKFLOW_INTERCEPTORS = require.resolve('@temporalio/interceptors-opentelemetry/lib/workflow-interceptors');

/** Activity interceptors: each activity runs in a `RunActivity:<name>` span, a child of the workflow's `StartActivity`. */
export const tracingActivityInterceptors: ActivityInterceptorsFactory = (ctx) => ({
  inbound: new OpenTelemetryActivityInboundInterceptor(ctx),
  outbound: new OpenTelemetryActivityOutboundInterceptor(ctx),
});

/** The sink through which the workflow's spans (ended in the sandbox) reach the process's span processor. */
export function tracingSinks(tracing: Tracing): InjectedSinks<OpenTelemetrySinks> {
  return { exporter: makeWorkflowExporter(tracing.spanProcessor, tracing.resource) };
}
