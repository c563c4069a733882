/**
 * Human approval that can wait for days: a tool call marked as needing approval pauses its turn
 * durably (across worker restarts and continue-as-new) until it is approved or rejected; other
 * messages wait in the queue meanwhile; a rejection reaches the model as the tool's output. On a dev
 * server with lowered per-run limits, so that a paused session rolls over.
 */
import { z } from 'zod';
import { defineAgent, defineTool, type RunContext } from '../src/agents';
import { ApprovalNotPendingError, AwaitingApprovalError, InvalidInputError } from '../src/client/errors';
import type { TurnResult } from '../src/shared/schemas';
import { runCli } from './support/cli';
import { startTestStack, type TestStack } from './support/stack';

interface Account extends Record<string, unknown> {
  sent?: number[];
}

const wireMoney = defineTool({
  name: 'wire_money',
  description: 'Wires money to a payee.',
  parameters: z.object({ amount: z.number().positive(), to: z.string() }),
  needsApproval: ({ amount }) => amount > 100,
  execute: ({ amount, to }, { context }: RunContext<Account>) => {
    context.sent = [...(context.sent ?? []), amount];
    return `Wired ${amount} EUR to ${to}.`;
  },
});
const deleteAccount = defineTool({
  name: 'delete_account',
  description: 'Closes the account for good.',
  parameters: z.object({}),
  needsApproval: true,
  execute: () => 'The account is closed.',
});
const exportData = defineTool({
  name: 'export_data',
  description: 'Exports the account data.',
  parameters: z.object({}),
  needsApproval: () => {
    throw new Error('the policy service is down');
  },
  execute: () => 'Exported.',
});
const banker = defineAgent<Account>({ name: 'banker', instructions: 'You move money.', tools: [wireMoney, deleteAccount, exportData] });

let stack: TestStack;
let counter = 0;
const newSession = (kind: string) => `approvals-${++counter}:${kind}`;

beforeAll(async () => {
  stack = await startTestStack({
    agents: [banker],
    dynamicConfig: { 'limit.historyCount.suggestContinueAsNew': 60, 'history.maxTotalUpdates': 40 },
  });
});

afterAll(async () => {
  await stack?.stop();
});

beforeEach(() => stack.model.reset());

/** Polls until the session has `count` calls waiting for a decision; returns them. */
async function waitForPending(session: string, count = 1) {
  for (let tries = 0; tries < 600; tries++) {
    const pending = await stack.client.pendingApprovals(session).catch(() => []);
    if (pending.length === count) return pending;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`session ${session} never had ${count} pending approvals`);
}

/** The tool outputs of a turn's items. */
const outputs = (turn: TurnResult) => turn.items.flatMap((entry) => (entry.item.type === 'function_call_output' ? [entry.item.output] : []));

test('a call needing approval pauses its turn; approving runs the tool and the turn ends with the reply', async () => {
  const session = newSession('approve');
  stack.model.enqueue({ toolCalls: [{ name: 'wire_money', arguments: { amount: 500, to: 'Bo' } }] }, { text: 'Done: 500 EUR to Bo.' });
  const turn = stack.client.send(session, 'Send 500 EUR to Bo');
  const [pending] = await waitForPending(session);
  expect(pending).toMatchObject({ tool: 'wire_money', arguments: '{"amount":500,"to":"Bo"}', agent: 'banker', messageId: expect.any(String) });
  expect(await stack.client.status(session)).toMatchObject({ state: 'awaiting-approval', pendingApprovals: 1, itemCount: 0 });
  expect(stack.model.requests).toHaveLength(1);

  expect(await stack.client.approve(session, pending.callId)).toEqual({ callId: pending.callId, approved: true, stillPending: 0 });
  const result = await turn;
  expect(result.reply).toBe('Done: 500 EUR to Bo.');
  expect(outputs(result)).toEqual(['Wired 500 EUR to Bo.']);
  expect(await stack.client.context(session)).toEqual({ sent: [500] });
  expect(await stack.client.pendingApprovals(session)).toEqual([]);
  expect((await stack.client.status(session)).state).toBe('idle');
});

test('a rejection reaches the model as the tool output, with its reason, and the tool never runs', async () => {
  const session = newSession('reject');
  stack.model.enqueue({ toolCalls: [{ name: 'wire_money', arguments: { amount: 900, to: 'Eve' } }] }, { text: 'I did not send it.' });
  const turn = stack.client.send(session, 'Send 900 EUR to Eve');
  const [pending] = await waitForPending(session);
  await stack.client.reject(session, pending.callId, { reason: 'Eve is not a known payee' });
  const result = await turn;
  const rejection = 'Error: a human rejected this tool call: Eve is not a known payee. Do not retry it unless the user asks again.';
  expect(outputs(result)).toEqual([rejection]);
  expect(stack.model.requests[1].messages.at(-1)).toMatchObject({ role: 'tool', content: rejection });
  expect(await stack.client.context(session)).toEqual({});
});

test('a tool whose policy needs no approval for these arguments runs at once; several waiting calls are decided one by one', async () => {
  const session = newSession('several');
  stack.model.enqueue(
    { toolCalls: [{ name: 'wire_money', arguments: { amount: 20, to: 'Al' } }] },
    {
      toolCalls: [
        { name: 'wire_money', arguments: { amount: 300, to: 'Bo' } },
        { name: 'delete_account', arguments: {} },
      ],
    },
    { text: 'Sent 20 to Al and 300 to Bo; the account stays open.' },
  );
  const turn = stack.client.send(session, 'Send 20 to Al, 300 to Bo, then close my account');
  const [wire, close] = await waitForPending(session, 2);
  expect([wire.tool, close.tool]).toEqual(['wire_money', 'delete_account']);
  expect(await stack.client.approve(session, wire.callId)).toMatchObject({ stillPending: 1 });
  expect((await stack.client.pendingApprovals(session)).map((entry) => entry.callId)).toEqual([close.callId]);
  await stack.client.reject(session, close.callId);
  expect(outputs(await turn)).toEqual(['Wired 20 EUR to Al.', 'Wired 300 EUR to Bo.', expect.stringMatching(/^Error: a human rejected this tool call\./)]);
  expect(await stack.client.context(session)).toEqual({ sent: [20, 300] });
});

test('a call whose approval policy throws waits for a human rather than running', async () => {
  const session = newSession('policy-throws');
  stack.model.enqueue({ toolCalls: [{ name: 'export_data', arguments: {} }] }, { text: 'Exported.' });
  const turn = stack.client.send(session, 'Export my data');
  const [pending] = await waitForPending(session);
  expect(pending.tool).toBe('export_data');
  await stack.client.approve(session, pending.callId);
  expect(outputs(await turn)).toEqual(['Exported.']);
});

test('other messages wait in the queue behind the paused turn and run after it, in order', async () => {
  const session = newSession('queue');
  stack.model.enqueue({ toolCalls: [{ name: 'delete_account', arguments: {} }] }, { text: 'Closed.' }, { text: 'Second answer.' });
  const first = stack.client.send(session, 'Close my account');
  const [pending] = await waitForPending(session);
  const second = stack.client.send(session, 'Are you there?');
  await new Promise((resolve) => setTimeout(resolve, 300));
  expect(await stack.client.status(session)).toMatchObject({ state: 'awaiting-approval', queued: 1 });
  await stack.client.approve(session, pending.callId);
  expect((await first).reply).toBe('Closed.');
  expect((await second).reply).toBe('Second answer.');
  const texts = (await stack.client.items(session)).map((entry) => (entry.item.type === 'message' ? entry.item.content : entry.item.type));
  expect(texts).toEqual(['Close my account', 'function_call', 'function_call_output', 'Closed.', 'Are you there?', 'Second answer.']);
});

test('nine messages sent while a turn waits: five queue, four are refused with AwaitingApprovalError, and the approval still gets in', async () => {
  const session = newSession('crowded');
  stack.model.enqueue({ toolCalls: [{ name: 'delete_account', arguments: {} }] }, { text: 'Closed.' });
  const first = stack.client.send(session, 'Close my account');
  const [pending] = await waitForPending(session);
  const crowd = Array.from({ length: 9 }, (_, index) => stack.client.send(session, `meanwhile ${index}`));
  const refused = await Promise.all(
    crowd.map((sent) =>
      Promise.race([
        sent.then(
          () => undefined,
          (error: unknown) => error,
        ),
        new Promise((resolve) => setTimeout(() => resolve('waiting'), 3_000)),
      ]),
    ),
  );
  expect(refused.filter((outcome) => outcome instanceof AwaitingApprovalError)).toHaveLength(4);
  expect(refused.filter((outcome) => outcome === 'waiting')).toHaveLength(5);
  expect(String(refused.find((outcome) => outcome instanceof AwaitingApprovalError))).toContain(`delete_account (${pending.callId})`);
  await stack.client.approve(session, pending.callId);
  expect((await first).reply).toBe('Closed.');
  const answered = await Promise.allSettled(crowd);
  expect(answered.filter((outcome) => outcome.status === 'fulfilled')).toHaveLength(5);
});

test('a decision for a call that does not wait is refused with what waits; a retried decision gets its first answer; a decision cannot flip', async () => {
  const session = newSession('decisions');
  stack.model.enqueue({ toolCalls: [{ name: 'delete_account', arguments: {} }] }, { text: 'Closed.' }, { text: 'Hi.' });
  await expect(stack.client.approve(session, 'call_nothing')).rejects.toThrow(); // no session yet
  const turn = stack.client.send(session, 'Close my account');
  const [pending] = await waitForPending(session);
  const refused = stack.client.approve(session, 'call_nothing');
  await expect(refused).rejects.toThrow(ApprovalNotPendingError);
  await expect(refused).rejects.toThrow(`waiting: ${pending.callId} (delete_account)`);
  await expect(stack.client.approve(session, pending.callId, { reason: 'x'.repeat(2_001) })).rejects.toThrow(InvalidInputError);

  const first = await stack.client.approve(session, pending.callId, { id: 'decision-1' });
  await turn;
  expect(await stack.client.approve(session, pending.callId, { id: 'decision-1' })).toEqual(first);
  await expect(stack.client.reject(session, pending.callId)).rejects.toThrow(ApprovalNotPendingError);
});

test('a paused turn survives a worker restart, then resumes when approved', async () => {
  const session = newSession('restart');
  stack.model.enqueue({ toolCalls: [{ name: 'wire_money', arguments: { amount: 250, to: 'Cy' } }] }, { text: 'Sent.' });
  const turn = stack.client.send(session, 'Send 250 to Cy');
  const [pending] = await waitForPending(session);
  await stack.stopWorkers();
  await stack.startWorker();
  expect((await stack.client.pendingApprovals(session)).map((entry) => entry.callId)).toEqual([pending.callId]);
  await stack.client.approve(session, pending.callId);
  expect((await turn).reply).toBe('Sent.');
  expect(await stack.client.context(session)).toEqual({ sent: [250] });
});

test('a paused turn is carried across continue-as-new while messages pile up, and resumes in the new run', async () => {
  const session = newSession('rollover');
  stack.model.enqueue({ toolCalls: [{ name: 'wire_money', arguments: { amount: 700, to: 'Di' } }] }, { text: 'Sent 700.' });
  const turn = stack.client.send(session, 'Send 700 to Di');
  const [pending] = await waitForPending(session);
  const runBefore = (await stack.client.status(session)).run;
  for (let index = 0; index < 40; index++) await stack.client.signal(session, { id: `later-${index}`, text: `later ${index}` });
  let status = await stack.client.status(session);
  // The new run may roll over once more before it settles with the turn still paused.
  for (let tries = 0; (status.run === runBefore || status.state === 'rolling-over') && tries < 200; tries++) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    status = await stack.client.status(session);
  }
  expect(status).toMatchObject({ state: 'awaiting-approval', pendingApprovals: 1 });
  expect(status.run).toBeGreaterThan(runBefore);

  await stack.client.approve(session, pending.callId);
  expect((await turn).reply).toBe('Sent 700.');
  for (let tries = 0; (status.queued > 0 || status.state !== 'idle') && tries < 400; tries++) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    status = await stack.client.status(session);
  }
  const items = await stack.client.items(session);
  const userTexts = items.filter((entry) => entry.item.type === 'message' && entry.item.role === 'user').map((entry) => entry.item.type === 'message' && entry.item.content);
  expect(userTexts).toEqual(['Send 700 to Di', ...Array.from({ length: 40 }, (_, index) => `later ${index}`)]);
  expect(await stack.client.context(session)).toEqual({ sent: [700] });
});

test('the CLI: send says what waits and how to decide, pending lists it, approve resumes the turn', async () => {
  const session = newSession('cli');
  const env = { TEMPORAL_ADDRESS: stack.temporal.address, DATABASE_URL: stack.db.url, AGENT_SESSIONS_TASK_QUEUE: stack.taskQueue };
  stack.model.enqueue({ toolCalls: [{ name: 'delete_account', arguments: {} }] }, { text: 'Your account is closed.' });
  const sending = runCli(['send', '--session', session, 'Close my account'], env);
  const [pending] = await waitForPending(session).catch(async (error: Error) => {
    throw new Error(`${error.message}; send printed ${JSON.stringify(await sending)}`);
  });
  const listed = await runCli(['pending', '--session', session], env);
  expect(listed.stdout).toContain(`${pending.callId}  delete_account({})  by banker`);
  expect(listed.stdout).toContain(`approve: npx agent-sessions approve --session ${session} --call ${pending.callId}`);
  expect(await runCli(['approve', '--session', session, '--call', pending.callId], env)).toMatchObject({
    code: 0,
    stdout: `approved ${pending.callId}; the turn resumes\n`,
  });
  const sent = await sending;
  expect(sent).toMatchObject({ code: 0, stdout: 'Your account is closed.\n' });
  expect(sent.stderr).toContain(`waiting for approval:\n${pending.callId}  delete_account({})`);
  expect(await runCli(['reject', '--session', session], env)).toMatchObject({ code: 2, stderr: expect.stringContaining('--call ID is required') });
});
