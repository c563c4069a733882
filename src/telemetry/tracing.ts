/**
 * OpenTelemetry tracing for a process (the worker, `serve`, the CLI), configured by the standard
 * `OTEL_*` variables and off unless they ask for it. Once started, the process has a registered tracer
 * provider: spans follow async calls (AsyncLocalStorage), W3C trace context crosses HTTP, and Temporal's
 * interceptors carry it through headers into workflows and activities.
 */
import { ProxyTracerProvider, trace } from '@opentelemetry/api';
import type { Resource } from '@opentelemetry/resources';
import type { SpanProcessor } from '@opentelemetry/sdk-trace-base';
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
  /**
   * Keep errors' messages and stacks out of spans (their type stays): the default when
   * AGENT_SESSIONS_ENCRYPTION_KEYS is set, as in the logs.
   */
  withholdErrorText?: boolean;
}

let active: Tracing | undefined;

/** The process's tracing, when `startTracing` turned it on. */
export function activeTracing(): Tracing | undefined {
  return active;
}

/**
 * Turns tracing on as the `OTEL_*` variables say, or returns undefined when they do not ask for it
 * (nothing is registered or even loaded then, and nothing is traced). It is on when
 * `OTEL_EXPORTER_OTLP_ENDPOINT` (or `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`) is set or
 * `OTEL_TRACES_EXPORTER` is `otlp` or `console`, and off when `OTEL_SDK_DISABLED=true` or
 * `OTEL_TRACES_EXPORTER=none`. `OTEL_EXPORTER_OTLP_PROTOCOL` (or `..._TRACES_PROTOCOL`) picks
 * `http/protobuf` (the default) or `http/json`. A second call gets the first call's tracing. A variable
 * it cannot read is refused with its name (InvalidInputError).
 */
export function startTracing(options: TracingOptions): Tracing | undefined {
  if (active) return active;
  const env = TracingEnv.read(process.env);
  if (!options.spanProcessor && env.exporter === 'none') return undefined;
  // The SDK and its exporters load only now: a process that does not trace does not pay for them (about 80 ms).
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded only when tracing is on
  const { registerTracerProvider } = require('./tracing-sdk') as typeof import('./tracing-sdk');
  const registered = registerTracerProvider(env, options);
  const tracing: Tracing = {
    ...registered,
    captureContent: env.captureContent,
    shutdown: async () => {
      if (active !== tracing) return;
      active = undefined;
      await registered.shutdown();
    },
  };
  active = tracing;
  return tracing;
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
