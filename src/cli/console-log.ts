/**
 * The worker's logs as `dev` and `demo` show them in a terminal: each warning or error one readable
 * line on standard error ("warning: Activity failed (session alice:support, turn 2, attempt 3): ..."),
 * info and debug dropped unless AGENT_SESSIONS_LOG_LEVEL asks for them. JSON lines are for `worker` and
 * `serve` (log collectors read them), and for `dev --log-json`. The Temporal bundler's webpack report
 * (a kilobyte of text logged at info when the worker bundles the workflows) counts as debug here.
 */
import type { DestinationStream } from 'pino';
import { createLogger, type Logger } from '../logging/logger';

/** The fields of a log line worth a reader's eye, in the order they are printed, with their labels. */
const SHOWN_FIELDS: Array<[field: string, label: string]> = [
  ['sessionId', 'session'],
  ['turn', 'turn'],
  ['agent', 'agent'],
  ['messageId', 'message'],
  ['workflowType', 'workflow'],
  ['activityType', 'activity'],
  ['attempt', 'attempt'],
  ['failureType', 'failure'],
];

/** What each level is called at the start of a line. */
const LEVEL_WORDS: Record<string, string> = { trace: 'trace', debug: 'debug', info: 'info', warn: 'warning', error: 'error', fatal: 'error' };

/** The first line of a text, with a note of how many it left out. */
function firstLine(text: string): string {
  const lines = text.split('\n').filter((line) => line.trim() !== '');
  if (lines.length <= 1) return lines[0] ?? '';
  return `${lines[0]} (+${lines.length - 1} more lines; --log-json shows them)`;
}

/** One pino JSON line as one readable line, or undefined for a line that is not JSON. */
export function readableLine(json: string): string | undefined {
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(json) as Record<string, unknown>;
  } catch {
    return undefined;
  }
  const level = LEVEL_WORDS[String(entry.level)] ?? String(entry.level);
  const fields = SHOWN_FIELDS.filter(([field]) => entry[field] !== undefined && entry[field] !== '').map(([field, label]) => `${label} ${String(entry[field])}`);
  const err = entry.err as { type?: unknown; message?: unknown } | undefined;
  const reason =
    err && typeof err === 'object'
      ? [err.type, err.message].filter((part) => typeof part === 'string' && part !== '').join(': ')
      : typeof entry.error === 'string'
        ? entry.error
        : '';
  return [`${level}: ${firstLine(String(entry.msg ?? ''))}`, fields.length ? ` (${fields.join(', ')})` : '', reason ? `: ${reason.split('\n')[0]}` : ''].join('');
}

/**
 * A logger for the Temporal runtime in `dev` and `demo`: readable lines through `write` (standard
 * error when absent) at AGENT_SESSIONS_LOG_LEVEL, else warnings and errors only (the bundler's webpack
 * report is debug: see `PinoTemporalLogger`).
 */
export function createConsoleLogger(write: (line: string) => void = (line) => process.stderr.write(`${line}\n`)): Logger {
  const destination: DestinationStream = {
    write(json: string) {
      const line = readableLine(json);
      if (line !== undefined) write(line);
    },
  };
  return createLogger({ defaultLevel: 'warn', destination });
}
