/**
 * 10,000 generated hostile inputs through the library, the HTTP API, the CLI (one in 40: a process
 * each) and raw updates and signals by wire name: each is refused with a reason (a caller error, a
 * 4xx, an InvalidInput update failure, a CLI exit other than 0 with one line `error: …`) or stored
 * exactly as given (a bad signal is dropped by the workflow with a warning); no workflow task fails;
 * no session is left blocked. Columns: accepted = stored + signalled, answered = stored, typed errors
 * = refused, lost = neither, mismatches = stored differently + workflow task failures.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection, WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { AgentSessionsError } from '../../src/client/errors';
import { FailureType } from '../../src/shared/failures';
import { temporal } from '@temporalio/proto';
import { startHttpServer } from '../../src/server/http-server';
import { sendMessageUpdate, userMessageSignal } from '../../src/shared/messages';
import { runCli } from '../../test/support/cli';
import type { TestStack } from '../../test/support/stack';
import { hostileCommand, hostileMessage, type HostileCommand } from '../hostile-inputs';
import { userTexts, type ChaosRow } from '../ledger';

const INPUTS = Number(process.env.CHAOS_INPUTS ?? 10_000);
const SESSIONS = 20;
/** Inputs in flight at once. */
const WIDTH = 40;
/** One input in this many goes through the CLI (a process of its own, about half a second). */
const CLI_EVERY = 40;
/** CLI processes at once. */
const CLI_WIDTH = 3;
/** The longest reason a refused CLI command may print. */
const MAX_REASON_LENGTH = 400;

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
        const response = await fetch(`${server.url}/v1/sessions/${encodeURIComponent(sessionId)}/messages`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(message),
        });
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

  const indexes = Array.from({ length: INPUTS }, (_, index) => index);
  const viaCli = indexes.filter((index) => index % CLI_EVERY === CLI_EVERY - 1);
  const elsewhere = indexes.filter((index) => index % CLI_EVERY !== CLI_EVERY - 1);
  const [cli] = await Promise.all([
    cliInputs(stack, viaCli, sessions),
    (async () => {
      for (let start = 0; start < elsewhere.length; start += WIDTH) {
        const batch = await Promise.all(elsewhere.slice(start, start + WIDTH).map(attempt));
        for (const verdict of batch) verdicts[verdict] += 1;
      }
    })(),
  ]);
  for (const verdict of cli.verdicts) verdicts[verdict] += 1;
  unexplained.push(...cli.unexplained);

  let taskFailures = 0;
  let blocked = 0;
  for (const sessionId of [...sessions, ...cli.newSessions]) {
    const history = await raw.workflow.getHandle(sessionId).fetchHistory();
    taskFailures += (history.events ?? []).filter((event) => event.eventType === temporal.api.enums.v1.EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED).length;
    const answered = await Promise.race([
      stack.client.send(sessionId, 'still there?').then(
        () => true,
        () => false,
      ),
      new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 90_000)),
    ]);
    if (!answered) blocked += 1;
  }
  await server.close();
  await connection.close();
  const row: ChaosRow = {
    scenario: `${INPUTS} hostile inputs (library, HTTP, CLI, raw update, raw signal)`,
    sent: INPUTS,
    accepted: verdicts.stored + verdicts.signalled,
    answered: verdicts.stored,
    typedErrors: verdicts.refused,
    lost: verdicts.unexplained,
    duplicated: 0,
    mismatches: verdicts.wrong + taskFailures,
    blocked,
    plaintext: 0,
    wallSeconds: Math.round((Date.now() - started) / 100) / 10,
  };
  const notes = [
    `refused with a reason ${verdicts.refused}, stored exactly ${verdicts.stored}, signalled ${verdicts.signalled}, stored differently ${verdicts.wrong}, workflow task failures ${taskFailures}`,
    `through the CLI: ${viaCli.length} inputs, refused ${cli.verdicts.filter((verdict) => verdict === 'refused').length}, stored exactly ${cli.verdicts.filter((verdict) => verdict === 'stored').length}`,
  ];
  const distinct = [...new Set(unexplained)].slice(0, 5);
  return { row, notes: [...notes, ...distinct.map((reason) => `unexplained: ${reason}`)] };
}

/**
 * Runs the CLI inputs `indexes` on `sessions` in turn, CLI_WIDTH processes at a time, then checks through
 * the projection that each command that exited 0 stored exactly what it was given. The verdicts, the
 * reasons of those that did neither, and the new sessions the commands started.
 */
async function cliInputs(stack: TestStack, indexes: number[], sessions: string[]): Promise<{ verdicts: Verdict[]; unexplained: string[]; newSessions: string[] }> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'agent-sessions-chaos-cli-'));
  const env = { TEMPORAL_ADDRESS: stack.temporal.address, DATABASE_URL: stack.db.url, AGENT_SESSIONS_TASK_QUEUE: stack.taskQueue, AGENT_SESSIONS_DATA_DIR: dataDir };
  const verdicts: Verdict[] = [];
  const unexplained: string[] = [];
  const succeeded: HostileCommand[] = [];
  const queue = indexes.map((index, position) => ({ index, session: sessions[position % sessions.length] }));
  const lane = async () => {
    for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
      const command = hostileCommand(next.index, next.session, `${next.session}.cli${next.index}`);
      const shown = JSON.stringify(command.args).slice(0, 120);
      try {
        const { code, stderr } = await runCli(command.args, env, command.stdin);
        if (code === 0) succeeded.push(command);
        else if (/^error: \S[^\n]*\n?$/.test(stderr) && stderr.length <= MAX_REASON_LENGTH) verdicts.push('refused');
        else {
          verdicts.push('unexplained');
          unexplained.push(`CLI ${shown} exited ${code}: ${stderr.slice(0, 200)}`);
        }
      } catch (error) {
        verdicts.push('unexplained');
        unexplained.push(`CLI ${shown} did not run: ${(error as Error).message.slice(0, 200)}`);
      }
    }
  };
  await Promise.all(Array.from({ length: CLI_WIDTH }, lane));
  await rm(dataDir, { recursive: true, force: true });
  for (const command of succeeded) {
    const wrong = await differences(stack, command);
    verdicts.push(wrong ? 'wrong' : 'stored');
    if (wrong) unexplained.push(`CLI ${JSON.stringify(command.args).slice(0, 120)} stored differently: ${wrong}`);
  }
  const existing = new Set(sessions);
  const newSessions = [...new Set(succeeded.flatMap((command) => (command.session && !existing.has(command.session) ? [command.session] : [])))];
  return { verdicts, unexplained, newSessions };
}

/** How the projection differs from what a successful CLI command was given; undefined when it holds exactly that. */
async function differences(stack: TestStack, command: HostileCommand): Promise<string | undefined> {
  if (!command.session || !command.texts?.length) return 'it exited 0, though it has nothing it could store';
  const items = await stack.client.items(command.session).catch(() => []);
  const stored = userTexts(items);
  for (const text of command.texts) {
    const copies = stored.filter((candidate) => candidate === text).length;
    if (copies !== 1) return `${copies} copies of the text ${JSON.stringify(text.slice(0, 60))}`;
  }
  if (command.labels) {
    const [listed] = (await stack.client.list({ prefix: command.session, limit: 1 })).sessions;
    if (JSON.stringify(listed?.labels) !== JSON.stringify(command.labels)) return `labels ${JSON.stringify(listed?.labels)}`;
  }
  if (command.context && JSON.stringify(await stack.client.context(command.session)) !== JSON.stringify(command.context)) return 'the context';
  return undefined;
}
