/**
 * The process-side logger (worker, HTTP server, CLI): pino, one JSON object a line on standard error,
 * so standard output stays for what commands print. Never imported by src/shared or src/workflows.
 */
import pino, { type Logger } from 'pino';
import { InvalidInputError } from '../shared/errors';

export type { Logger } from 'pino';

/** The environment variable that sets the level. */
const LOG_LEVEL_VARIABLE = 'AGENT_SESSIONS_LOG_LEVEL';

/** The levels, most verbose first; `silent` writes nothing. */
const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;
/** One of LOG_LEVELS. */
export type LogLevel = (typeof LOG_LEVELS)[number];

/**
 * A logger writing JSON lines to standard error at AGENT_SESSIONS_LOG_LEVEL, else at `defaultLevel`
 * (info when absent). Each line has `level` (its name), `time` (ISO 8601), `pid`, `hostname` and `msg`.
 */
export function createLogger(options: { defaultLevel?: LogLevel } = {}): Logger {
  return pino(
    {
      level: levelFrom(process.env[LOG_LEVEL_VARIABLE]) ?? options.defaultLevel ?? 'info',
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    pino.destination({ dest: 2, sync: true }),
  );
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
