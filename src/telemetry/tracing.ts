/**
 * OpenTelemetry tracing for a process (the worker, `serve`, the CLI), configured by the standard
 * `OTEL_*` variables and off unless they ask for it. Once started, the process has a registered tracer
 * provider: spans follow async calls (AsyncLocalStorage), W3C trace context crosses HTTP, and Temporal's
 * interceptors carry it through headers into workflows and activities.
 */
import { context, diag, DiagLogLevel, propagation, ProxyTracerProvider, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter as OtlpJsonExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as OtlpProtobufExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { detectResourcesSync, envDetectorSync, processDetectorSync, Resource } from '@opentelemetry/resources';
import { BasicTracerProvider, BatchSpanProcessor, ConsoleSpanExporter, SimpleSpanProcessor, type SpanExporter, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { TracingEnv } from './tracing-env';

/** A process's tracing: where its spans end, what they describe, and whether they may carry message text. */
export interface Tracing {
  /** The processor every span ends in; the worker hands it the workflow's spans too (through a sink). */
  readonly spanProcessor: SpanProcessor;
  /** The service these spans come from (`OTEL_SERVICE_NAME`, `OTEL_RESOURCE_ATTRIBUTES`). */
  readonly resource: Resource;
  /**
   * Whether model and tool spans may carry message text and tool arguments
   * (`OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT=true`). A worker with encryption keys never
   * records them, whatever this says.
   */
  readonly captureContent: boolean;
  /** Ends every open batch (exports what is buffered) and unregisters the provider. */
  shutdown(): Promise<void>;
}

/** What `startTracing` may be given besides the environment. */
export interface TracingOptions {
  /** The service name when OTEL_SERVICE_NAME gives none (e.g. `agent-sessions-worker`). */
  serviceName: string;
  /** Spans go here instead of to the exporter the variables name (a test's in-memory exporter, an SDK of the application's). */
  spanProcessor?: SpanProcessor;
  /**
   * Hears why spans could not be exported (a collector down or refusing), at most once a minute for
   * the same reason; the spans are dropped and nothing else fails. Silent when absent.
   */
  onExportError?: (reason: string) => void;
}

/** How long the same export error stays unrepeated. */
const REPEAT_ERROR_AFTER_MS = 60_000;

let active: Tracing | undefined;

/** The process's tracing, when `startTracing` turned it on. */
export function activeTracing(): Tracing | undefined {
  return active;
}

/**
 * Turns tracing on as the `OTEL_*` variables say, or returns undefined when they do not ask for it
 * (nothing is registered then, and nothing is traced). It is on when `OTEL_EXPORTER_OTLP_ENDPOINT` (or
 * `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`) is set or `OTEL_TRACES_EXPORTER` is `otlp` or `console`, and
 * off when `OTEL_SDK_DISABLED=true` or `OTEL_TRACES_EXPORTER=none`. `OTEL_EXPORTER_OTLP_PROTOCOL`
 * (or `..._TRACES_PROTOCOL`) picks `http/protobuf` (the default) or `http/json`. A second call returns
 * the first call's tracing. A variable it cannot read is refused with its name (InvalidInputError).
 */
export function startTracing(options: TracingOptions): Tracing | undefined {
  if (active) return active;
  const env = TracingEnv.read(process.env);
  if (!options.spanProcessor && env.exporter === 'none') return undefined;
  // OTEL_RESOURCE_ATTRIBUTES and the process's own attributes, then the service's name over them.
  const resource = detectResourcesSync({ detectors: [envDetectorSync, processDetectorSync] }).merge(new Resource({ 'service.name': env.serviceName ?? options.serviceName }));
  const spanProcessor = options.spanProcessor ?? batchOf(exporterFor(env));
  const provider = new BasicTracerProvider({ resource });
  provider.addSpanProcessor(spanProcessor);
  const exportFailed = onceAMinute(options.onExportError);
  // The SDK reports a failed export through its diagnostic logger's `error`.
  diag.setLogger({ error: exportFailed, warn: () => undefined, info: () => undefined, debug: () => undefined, verbose: () => undefined }, DiagLogLevel.ERROR);
  const contextManager = new AsyncLocalStorageContextManager().enable();
  provider.register({ contextManager, propagator: new CompositePropagator({ propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()] }) });
  const tracing: Tracing = {
    spanProcessor,
    resource: provider.resource,
    captureContent: env.captureContent,
    shutdown: async () => {
      if (active !== tracing) return;
      active = undefined;
      // The last batch's export may fail (the collector is down): said, never thrown at the command that ends.
      await provider.shutdown().catch((error: unknown) => exportFailed(error instanceof Error ? error.message : String(error)));
      trace.disable();
      diag.disable();
      context.disable();
      propagation.disable();
    },
  };
  active = tracing;
  return tracing;
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

/**
 * Whether the process has an OpenTelemetry tracer provider: one `startTracing` registered, or the
 * application's own SDK. Libraries trace only then (the client adds Temporal's interceptors).
 */
export function tracerProviderRegistered(): boolean {
  const provider = trace.getTracerProvider();
  return provider instanceof ProxyTracerProvider ? provider.getDelegateTracer('agent-sessions') !== undefined : true;
}

/** Whether a worker's spans may carry message text: only when tracing opted in, and never when the worker encrypts payloads. */
export function contentInSpans(tracing: Tracing | undefined, encrypts: boolean): boolean {
  return (tracing?.captureContent ?? false) && !encrypts;
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
