/**
 * How the worker's logs reach pino: Temporal's runtime logger (workflow and activity `log` calls with
 * their Temporal fields, the SDK's own messages, the native core's warnings) as JSON lines, and the
 * session fields every activity line carries.
 */
import { ApplicationFailure, type LogLevel, type LogMetadata, type Logger as TemporalLogger } from '@temporalio/common';
import { Runtime, type ActivityInterceptorsFactory } from '@temporalio/worker';
import { z } from 'zod';
import { createLogger, type Logger, type LoggerOptions } from '../logging/logger';

/** Whether a message is the webpack report the Temporal bundler logs after bundling the workflows. */
export function isBundleReport(message: string): boolean {
  return /^asset workflow-bundle-/m.test(message) || /^(modules by path|webpack \d+\.\d+\.\d+ compiled)/m.test(message);
}

/** Temporal's logger interface over a pino logger: each entry one line, its metadata as fields. */
export class PinoTemporalLogger implements TemporalLogger {
  constructor(private readonly logger: Logger) {}

  /**
   * Writes one entry. An `error` object becomes pino's `err` (its class, message and stack), and an
   * ApplicationFailure's type `failureType`; an `error` text (a workflow's failure message) stays
   * `error`. The activity task token is left out (long, and whoever holds it can complete the activity).
   */
  log(level: LogLevel, message: string, meta: LogMetadata = {}): void {
    // The bundler's webpack report (a kilobyte of text, logged at info when a worker bundles the workflows) is debug.
    if (level === 'INFO' && isBundleReport(message)) level = 'DEBUG';
    const { error, taskToken: _taskToken, ...fields } = meta;
    const failureType = error instanceof ApplicationFailure ? error.type : undefined;
    const errorFields = error === undefined ? {} : typeof error === 'string' ? { error } : { err: error, ...(failureType ? { failureType } : {}) };
    this.logger[level.toLowerCase() as Lowercase<LogLevel>]({ ...fields, ...errorFields }, message);
  }

  trace(message: string, meta?: LogMetadata): void {
    this.log('TRACE', message, meta);
  }

  debug(message: string, meta?: LogMetadata): void {
    this.log('DEBUG', message, meta);
  }

  info(message: string, meta?: LogMetadata): void {
    this.log('INFO', message, meta);
  }

  warn(message: string, meta?: LogMetadata): void {
    this.log('WARN', message, meta);
  }

  error(message: string, meta?: LogMetadata): void {
    this.log('ERROR', message, meta);
  }
}

let runtimeInstalled = false;

/**
 * Sends the Temporal runtime's logs to `logger`, or to one `createLogger` makes with these options (JSON
 * lines on standard error at AGENT_SESSIONS_LOG_LEVEL). With `prometheusBindAddress`, the runtime also
 * serves its own worker metrics (`temporal_…`, durations in seconds) there. Once per process, before any
 * worker; later calls change nothing and make no logger, and return false.
 */
export function installRuntimeLogger(logger: Logger | LoggerOptions = {}, options: { prometheusBindAddress?: string } = {}): boolean {
  if (runtimeInstalled) return false;
  runtimeInstalled = true;
  const metrics = options.prometheusBindAddress ? { metrics: { prometheus: { bindAddress: options.prometheusBindAddress, useSecondsForDurations: true } } } : {};
  Runtime.install({
    logger: new PinoTemporalLogger('info' in logger ? logger : createLogger(logger)),
    telemetryOptions: { logging: { filter: { core: 'WARN', other: 'ERROR' }, forward: {} }, ...metrics },
  });
  return true;
}

/**
 * Shuts the Temporal runtime down when nothing uses it (no connection, no worker), as after a start-up
 * that failed before connecting: an installed runtime forwards the core's logs (which keeps Node's event
 * loop alive) and holds SIGINT and SIGTERM, so a process that failed to start would never exit. The next
 * `installRuntimeLogger` installs a new one.
 */
export async function releaseIdleRuntime(): Promise<void> {
  const runtime = Runtime._instance as (Runtime & { isIdle(): boolean }) | undefined;
  if (!runtime || !runtime.isIdle()) return;
  await runtime.shutdown();
  runtimeInstalled = false;
}

/** A field of an activity input, or nothing when it is absent or not of the expected type. */
const field = <Schema extends z.ZodType>(schema: Schema) => schema.optional().catch(undefined);

/** The fields of an activity input that say which session, turn, agent and message it serves. */
const SessionFields = z.object({
  sessionId: field(z.string()),
  agent: field(z.string()),
  turn: field(z.number()),
  stream: field(z.object({ messageId: z.string() })),
  spent: field(z.object({ turn: z.number().optional(), messageId: z.string().optional() })),
  session: field(z.object({ agent: z.string() })),
});

/**
 * The session id, turn, agent and message id of an activity's input, as log fields; never its context,
 * items or text. An input without them gives none.
 */
function sessionLogFields(input: unknown): Record<string, string | number | undefined> {
  const parsed = SessionFields.safeParse(input);
  if (!parsed.success) return {};
  const { sessionId, agent, turn, stream, spent, session } = parsed.data;
  return { sessionId, turn: turn ?? spent?.turn, agent: (agent ?? session?.agent) || undefined, messageId: stream?.messageId ?? spent?.messageId };
}

/**
 * Adds the session fields of each activity's input to every log line of that activity, the SDK's own
 * (such as "Activity failed", with the error and attempt) included.
 */
export const sessionLogAttributes: ActivityInterceptorsFactory = () => {
  let fields: Record<string, unknown> = {};
  return {
    inbound: {
      execute: (input, next) => {
        fields = sessionLogFields(input.args[0]);
        return next(input);
      },
    },
    outbound: { getLogAttributes: (attributes, next) => next({ ...attributes, ...fields }) },
  };
};
