/**
 * The CLI's exit codes, the one place an error becomes one: 0 success, 2 a mistake of the caller's
 * (bad options or input, an unknown command, a `CallerError`: running it again unchanged fails again),
 * 1 anything else (the system failed; the same command may succeed later).
 */
import { AgentSessionsError } from '../shared/errors';

export const ExitCode = { Ok: 0, SystemFailure: 1, CallerMistake: 2 } as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** The exit code for an error a command ended with. */
export function exitCodeFor(error: unknown): ExitCode {
  return error instanceof AgentSessionsError && error.kind === 'caller' ? ExitCode.CallerMistake : ExitCode.SystemFailure;
}
