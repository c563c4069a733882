/**
 * The process-side logger (worker, HTTP server, CLI): pino, one JSON object a line on standard error,
 * so standard output stays for what commands print. Never imported by src/shared or src/workflows.
 */
import pino, { type DestinationStream, type Logger } from 'pino';
import { InvalidInputError } from '../shared/errors';

export type { Logger } from 'pino';

/** The environment variable that sets the level. */
const LOG_LEVEL_VARIABLE = 'AGENT_SESSIONS_LOG_LEVEL';

/** The levels, most verbose first; `silent` writes nothing. */
const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;
/** One of LOG_LEVELS. */
export type LogLevel = (typeof LOG_LEVELS)[number];

/** How `createLogger` makes a logger: its level when the variable is unset, whether errors keep their text, where lines go. */
export interface LoggerOptions {
  defaultLevel?: LogLevel;
  withholdErrorText?: boolean;
  destination?: DestinationStream;
}

/**
 * A logger writing JSON lines to standard error at AGENT_SESSIONS_LOG_LEVEL, else at `defaultLevel`
 * (info when absent). Each line has `level` (its name), `time` (ISO 8601), `pid`, `hostname` and `msg`.
 * With `withholdErrorText` (the default when AGENT_SESSIONS_ENCRYPTION_KEYS is set), an error is logged
 * as its class and failure type only: its message and stack may quote what a user or a tool said.
 * Lines go to `destination` when given.
 */
export function createLogger(options: LoggerOptions = {}): Logger {
  const withhold = options.withholdErrorText ?? Boolean(process.env.AGENT_SESSIONS_ENCRYPTION_KEYS?.trim());
  return pino(
    {
      level: levelFrom(process.env[LOG_LEVEL_VARIABLE]) ?? options.defaultLevel ?? 'info',
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      ...(withhold ? { serializers: { err: errorKind, error: () => WITHHELD } } : {}),
    },
    options.destination ?? pino.destination({ dest: 2, sync: true }),
  );
}

/** What stands for an error's text in a line that withholds it. */
const WITHHELD = '[withheld: see status --session ID]';

/**
 * An error as its class and failure type, without its message or stack. An encryption key error that
 * names its key (`keyId`, set by the codec) keeps its message: it holds the key id and what to do,
 * nothing a user said, and a key id is not a secret.
 */
function errorKind(error: unknown): Record<string, unknown> {
  const failureType = (error as { type?: unknown } | null)?.type;
  const keyId = (error as { keyId?: unknown } | null)?.keyId;
  const named = typeof keyId === 'string' && error instanceof Error;
  return {
    type: error instanceof Error ? error.constructor.name : typeof error,
    ...(typeof failureType === 'string' ? { failureType } : {}),
    ...(named ? { keyId } : {}),
    message: named ? (error as Error).message : WITHHELD,
  };
}

/** The level a variable names (undefined when empty); any other value is refused with the levels there are. */
function levelFrom(value: string | undefined): LogLevel | undefined {
  const level = value?.trim().toLowerCase();
  if (!level) return undefined;
  if (!(LOG_LEVELS as readonly string[]).includes(level)) {
    throw new InvalidInputError(`${LOG_LEVEL_VARIABLE} is "${value}"; use one of ${LOG_LEVELS.join(', ')}`);
  }
  return level as LogLevel;
}
