// src/telemetry: traces (OpenTelemetry, the OTEL_* variables), metrics (Prometheus) and health for the worker, serve and the CLI, never the workflow; may import shared only.
/** What the processes use to be observed: tracing, the spans of model, tool and HTTP calls, metrics and health. */
export { activeTracing, startTracing, tracerProviderRegistered, type Tracing, type TracingOptions } from './tracing';
export { metricsRegistry, sessionMetrics } from './metrics';
export { answerProbe, appendMetricsFrom, metricsText, startMetricsServer } from './exposition';
