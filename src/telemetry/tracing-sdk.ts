/**
 * The OpenTelemetry SDK a traced process registers (loaded by `startTracing` only when tracing is on):
 * a tracer provider with the variables' exporter, AsyncLocalStorage context, W3C propagation, and the
 * SDK's export errors turned into one report a minute.
 */
import { context, diag, DiagLogLevel, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter as OtlpJsonExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as OtlpProtobufExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { detectResourcesSync, envDetectorSync, processDetectorSync, Resource } from '@opentelemetry/resources';
import { BasicTracerProvider, BatchSpanProcessor, ConsoleSpanExporter, SimpleSpanProcessor, type SpanExporter, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { TracingEnv } from './tracing-env';
import type { TracingOptions } from './tracing';
import { WithheldErrorText } from './withheld-errors';

/** How long the same export error stays unrepeated. */
const REPEAT_ERROR_AFTER_MS = 60_000;

/** Registers the process's tracer provider; `shutdown` exports what is buffered (never throwing) and unregisters it. */
export function registerTracerProvider(env: TracingEnv, options: TracingOptions): { spanProcessor: SpanProcessor; resource: Resource; shutdown(): Promise<void> } {
  // OTEL_RESOURCE_ATTRIBUTES and the process's own attributes, then the service's name over them.
  const resource = detectResourcesSync({ detectors: [envDetectorSync, processDetectorSync] }).merge(new Resource({ 'service.name': env.serviceName ?? options.serviceName }));
  const exported = options.spanProcessor ?? batchOf(exporterFor(env));
  // With encryption on, never an error's text (it can quote a user): the logs withhold it the same way.
  const withhold = options.withholdErrorText ?? Boolean(process.env.AGENT_SESSIONS_ENCRYPTION_KEYS?.trim());
  const spanProcessor = withhold ? new WithheldErrorText(exported) : exported;
  const provider = new BasicTracerProvider({ resource });
  provider.addSpanProcessor(spanProcessor);
  const exportFailed = onceAMinute(options.onExportError);
  // The SDK reports a failed export through its diagnostic logger's `error`.
  diag.setLogger({ error: exportFailed, warn: () => undefined, info: () => undefined, debug: () => undefined, verbose: () => undefined }, DiagLogLevel.ERROR);
  const contextManager = new AsyncLocalStorageContextManager().enable();
  provider.register({ contextManager, propagator: new CompositePropagator({ propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()] }) });
  return {
    spanProcessor,
    resource: provider.resource,
    shutdown: async () => {
      // The last batch's export may fail (the collector is down): said, never thrown at the command that ends.
      await provider.shutdown().catch((error: unknown) => exportFailed(error instanceof Error ? error.message : String(error)));
      trace.disable();
      diag.disable();
      context.disable();
      propagation.disable();
    },
  };
}

/** The exporter the variables name. */
function exporterFor(env: TracingEnv): SpanExporter {
  if (env.exporter === 'console') return new ConsoleSpanExporter();
  // Both read OTEL_EXPORTER_OTLP_(TRACES_)ENDPOINT, _HEADERS and _TIMEOUT themselves (the endpoint gets /v1/traces).
  return env.protocol === 'http/json' ? new OtlpJsonExporter() : new OtlpProtobufExporter();
}

/** Spans are exported in batches (OTEL_BSP_* tune them); the console exporter prints each as it ends. */
function batchOf(exporter: SpanExporter): SpanProcessor {
  return exporter instanceof ConsoleSpanExporter ? new SimpleSpanProcessor(exporter) : new BatchSpanProcessor(exporter);
}

/** `report`, called at most once a minute with the same reason (a down collector fails every batch). */
function onceAMinute(report: ((reason: string) => void) | undefined): (...parts: unknown[]) => void {
  const said = new Map<string, number>();
  return (...parts) => {
    if (!report) return;
    const reason = parts.map((part) => (part instanceof Error ? part.message : typeof part === 'string' ? part : JSON.stringify(part))).join(' ');
    const now = Date.now();
    if (now - (said.get(reason) ?? -Infinity) < REPEAT_ERROR_AFTER_MS) return;
    said.set(reason, now);
    report(reason);
  };
}
