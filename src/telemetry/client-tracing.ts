/** Temporal's OpenTelemetry client interceptor: each start, update, signal and query in a span whose context the workflow receives in its headers. */
import type { ClientInterceptors } from '@temporalio/client';
import { OpenTelemetryWorkflowClientInterceptor } from '@temporalio/interceptors-opentelemetry/lib/client';

/** The interceptors a traced Temporal client is made with. */
export function tracingClientInterceptors(): ClientInterceptors {
  return { workflow: [new OpenTelemetryWorkflowClientInterceptor()] };
}
