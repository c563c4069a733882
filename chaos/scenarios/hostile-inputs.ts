/**
 * 10,000 generated hostile messages through the library, the HTTP API and raw updates and signals by
 * wire name: each is refused with a reason (a caller error, a 4xx, an InvalidInput update failure) or
 * stored exactly as given (a bad signal is dropped by the workflow with a warning); no workflow task
 * fails; no session is left blocked. Columns: accepted = stored + signalled, answered = stored,
 * typed errors = refused, lost = neither, mismatches = stored differently + workflow task failures.
 */
import { Client, Connection, WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { AgentSessionsError } from '../../src/client/errors';
import { FailureType } from '../../src/shared/failures';
import { temporal } from '@temporalio/proto';
import { startHttpServer } from '../../src/server/http-server';
import { sendMessageUpdate, userMessageSignal } from '../../src/shared/messages';
import type { TestStack } from '../../test/support/stack';
import { hostileMessage } from '../hostile-inputs';
import type { ChaosRow } from '../ledger';

const INPUTS = Number(process.env.CHAOS_INPUTS ?? 10_000);
const SESSIONS = 20;
/** Inputs in flight at once. */
const WIDTH = 40;

type Verdict = 'refused' | 'stored' | 'signalled' | 'wrong' | 'unexplained';

/** Runs the scenario and checks it; the table row and notes. */
export async function hostileInputs(stack: TestStack): Promise<{ row: ChaosRow; notes: string[] }> {
  const started = Date.now();
  const run = Date.now().toString(36);
  const server = await startHttpServer({ client: stack.client });
  const connection = await Connection.connect({ address: stack.temporal.address });
  const raw = new Client({ connection });
  const sessions = Array.from({ length: SESSIONS }, (_, s) => `chaos-hostile-${run}:${s}`);
  for (const sessionId of sessions) await stack.client.send(sessionId, 'hello');
  const verdicts: Record<Verdict, number> = { refused: 0, stored: 0, signalled: 0, wrong: 0, unexplained: 0 };
  const unexplained: string[] = [];

  /** Sends one input through one entry point; whether it was refused with a reason or stored exactly. */
  async function attempt(index: number): Promise<Verdict> {
    const sessionId = sessions[index % SESSIONS];
    const message = hostileMessage(index);
    const text = typeof message === 'object' && message !== null && 'text' in message ? (message as { text: unknown }).text : undefined;
    const via = index % 4;
    try {
      if (via === 0) {
        const result = await stack.client.send(sessionId, message as never);
        return result.items[0]?.item.type === 'message' && result.items[0].item.content === text ? 'stored' : 'wrong';
      }
      if (via === 1) {
        const response = await fetch(`${server.url}/v1/sessions/${encodeURIComponent(sessionId)}/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(message) });
        const body = (await response.json()) as { items?: Array<{ item: { content?: unknown } }>; error?: { message?: string } };
        if (response.status >= 400 && response.status < 500 && body.error?.message) return 'refused';
        if (response.status === 200) return body.items?.[0]?.item.content === text ? 'stored' : 'wrong';
        unexplained.push(`HTTP ${response.status}: ${body.error?.message}`);
        return 'unexplained';
      }
      if (via === 2) {
        await raw.workflow.getHandle(sessionId).executeUpdate(sendMessageUpdate, { args: [message as never] });
        return 'stored';
      }
      await raw.workflow.getHandle(sessionId).signal(userMessageSignal, message as never);
      return 'signalled';
    } catch (error) {
      if (error instanceof AgentSessionsError && error.kind === 'caller') return 'refused';
      if (error instanceof WorkflowUpdateFailedError && error.cause instanceof ApplicationFailure && error.cause.type === FailureType.InvalidInput) return 'refused';
      unexplained.push(`${(error as Error).name}: ${String((error as Error).message).slice(0, 200)}`);
      return 'unexplained';
    }
  }

  for (let start = 0; start < INPUTS; start += WIDTH) {
    const batch = await Promise.all(Array.from({ length: Math.min(WIDTH, INPUTS - start) }, (_, offset) => attempt(start + offset)));
    for (const verdict of batch) verdicts[verdict] += 1;
  }

  let taskFailures = 0;
  let blocked = 0;
  for (const sessionId of sessions) {
    const history = await raw.workflow.getHandle(sessionId).fetchHistory();
    taskFailures += (history.events ?? []).filter((event) => event.eventType === temporal.api.enums.v1.EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED).length;
    const answered = await Promise.race([
      stack.client.send(sessionId, 'still there?').then(() => true, () => false),
      new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 90_000)),
    ]);
    if (!answered) blocked += 1;
  }
  await server.close();
  await connection.close();
  const row: ChaosRow = {
    scenario: `${INPUTS} hostile inputs (library, HTTP, raw update, raw signal)`,
    sent: INPUTS,
    accepted: verdicts.stored + verdicts.signalled,
    answered: verdicts.stored,
    typedErrors: verdicts.refused,
    lost: verdicts.unexplained,
    duplicated: 0,
    mismatches: verdicts.wrong + taskFailures,
    blocked,
    wallSeconds: Math.round((Date.now() - started) / 100) / 10,
  };
  const notes = [
    `refused with a reason ${verdicts.refused}, stored exactly ${verdicts.stored}, signalled ${verdicts.signalled}, stored differently ${verdicts.wrong}, workflow task failures ${taskFailures}`,
  ];
  const distinct = [...new Set(unexplained)].slice(0, 5);
  return { row, notes: [...notes, ...distinct.map((reason) => `unexplained: ${reason}`)] };
}
