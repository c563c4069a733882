/** Human approval from the command line: `pending`, `approve` and `reject`. */
import type { PendingApproval } from '../shared/approvals';
import { print, TEMPORAL, withClient, type CommandInput } from './connect';
import { checkOptions, DecisionOptions, SessionOptions } from './options';

/** One line for a waiting call, with the commands that decide it. */
export function describePending(sessionId: string, pending: Pick<PendingApproval, 'callId' | 'tool' | 'arguments' | 'agent'> & { requestedAt?: string }): string {
  const since = pending.requestedAt ? ` since ${pending.requestedAt}` : '';
  return (
    `${pending.callId}  ${pending.tool}(${pending.arguments})  by ${pending.agent}${since}\n` +
    `  approve: npx agent-sessions approve --session ${sessionId} --call ${pending.callId}\n` +
    `  reject:  npx agent-sessions reject --session ${sessionId} --call ${pending.callId} --reason "..."`
  );
}

/** Prints the tool calls that wait for a decision. */
export async function pending({ values }: CommandInput): Promise<void> {
  const options = checkOptions(SessionOptions, values);
  const waiting = await withClient(TEMPORAL, (client) => client.pendingApprovals(options.session));
  if (options.json) print(waiting);
  else if (waiting.length === 0) console.log(`(nothing waits for approval in session ${options.session})`);
  else for (const entry of waiting) console.log(describePending(options.session, entry));
}

/** Approves (or rejects) a waiting tool call. */
export async function decide({ values }: CommandInput, approved: boolean): Promise<void> {
  const options = checkOptions(DecisionOptions, values);
  const decision = { id: options.id, reason: options.reason };
  const result = await withClient(TEMPORAL, (client) =>
    approved ? client.approve(options.session, options.call, decision) : client.reject(options.session, options.call, decision),
  );
  if (options.json) print(result);
  else {
    const rest = result.stillPending > 0 ? `${result.stillPending} more call(s) of the turn still wait` : 'the turn resumes';
    console.log(`${approved ? 'approved' : 'rejected'} ${result.callId}; ${rest}`);
  }
}
