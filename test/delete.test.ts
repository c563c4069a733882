/**
 * Deleting a session is complete and final: every run of its continue-as-new chain is deleted from
 * Temporal once it closes (history and all), Postgres keeps nothing of it but a tombstone, the id
 * never starts a session again (even once Temporal has forgotten it), and every read and operation on
 * the id, through the library, the CLI and the HTTP API, answers SessionDeletedError (exit 2, 410).
 */
import { Client, Connection } from '@temporalio/client';
import { SessionDeletedError } from '../src/shared/errors';
import { startHttpServer, type RunningHttpServer } from '../src/server/http-server';
import { runCli } from './support/cli';
import { startTestStack, type TestStack } from './support/stack';

let stack: TestStack;
let temporal: Client;
let server: RunningHttpServer;
const TOKEN = 'delete-token';

beforeAll(async () => {
  stack = await startTestStack({
    dynamicConfig: {
      'limit.historyCount.suggestContinueAsNew': 60,
      'history.maxTotalUpdates': 40,
      // Temporal deletes a closed run once its close tasks are acknowledged (tens of seconds on the dev server); at once here.
      'history.transferProcessorEnsureCloseBeforeDelete': false,
      'history.visibilityProcessorEnsureCloseBeforeDelete': false,
    },
  });
  temporal = new Client({ connection: await Connection.connect({ address: stack.temporal.address }) });
  server = await startHttpServer({ client: stack.client, token: TOKEN });
});

afterAll(async () => {
  await server?.close();
  await temporal?.connection.close();
  await stack?.stop();
});

/** The run ids of a workflow id, newest first, walking the continue-as-new chain back from the latest run. */
async function runsOf(workflowId: string): Promise<string[]> {
  const runs: string[] = [];
  let runId: string | undefined = (await temporal.workflow.getHandle(workflowId).describe()).runId;
  while (runId) {
    runs.push(runId);
    runId = await previousRun(workflowId, runId);
  }
  return runs;
}

/** The run a run continued from, if any. */
async function previousRun(workflowId: string, runId: string): Promise<string | undefined> {
  const page = await temporal.workflowService.getWorkflowExecutionHistory({ namespace: 'default', execution: { workflowId, runId }, maximumPageSize: 1 });
  return page.history?.events?.[0]?.workflowExecutionStartedEventAttributes?.continuedExecutionRunId || undefined;
}

/** Whether Temporal still has this run (describe answers) or has deleted it (NotFound). */
async function runExists(workflowId: string, runId?: string): Promise<boolean> {
  try {
    await temporal.workflowService.describeWorkflowExecution({ namespace: 'default', execution: { workflowId, runId } });
    return true;
  } catch (error) {
    if ((error as { code?: number }).code === 5) return false;
    throw error;
  }
}

async function until(check: () => Promise<boolean>, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  for (;;) {
    if (await check()) return true;
    if (Date.now() > end) return false;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** Rows of the session in every table of the projection, by table (only tables with rows). */
async function rowsOf(sessionId: string): Promise<Record<string, number>> {
  const tables: Array<[string, string]> = [
    ['sessions', 'id'],
    ['items', 'session_id'],
    ['usage', 'session_id'],
    ['stream_events', 'session_id'],
    ['stream_heads', 'session_id'],
    ['content_parts', 'session_id'],
    ['session_imports', 'session_id'],
    ['session_tombstones', 'id'],
  ];
  const counts: Record<string, number> = {};
  for (const [table, column] of tables) {
    const { rows } = await stack.db.pool.query(`SELECT count(*)::int AS n FROM ${table} WHERE ${column} = $1`, [sessionId]);
    if (rows[0].n > 0) counts[table] = rows[0].n;
  }
  return counts;
}

const IMAGE = `data:image/png;base64,${Buffer.alloc(20_000, 7).toString('base64')}`;
const deleted = 'delete:rolled-over';

test('delete removes every run of the chain from Temporal and every row but the tombstone; the id never starts again', async () => {
  await stack.client.send(
    deleted,
    {
      input: [
        { type: 'input_text', text: 'My name is Resurrected. What is this?' },
        { type: 'input_image', image_url: IMAGE },
      ],
    },
    { labels: { tier: 'gold' } },
  );
  for (let turn = 0; turn < 8; turn += 1) await stack.client.send(deleted, `message ${turn}`);
  const runs = await runsOf(deleted);
  expect(runs.length).toBeGreaterThan(1);
  expect(Object.keys(await rowsOf(deleted))).toEqual(expect.arrayContaining(['sessions', 'items', 'usage', 'content_parts']));

  await stack.client.deleteSession(deleted);
  // Right after the delete (the run closed, perhaps not yet deleted from Temporal) reads say so, never a stale status.
  await expect(stack.client.status(deleted)).rejects.toThrow(SessionDeletedError);
  await expect(stack.client.context(deleted)).rejects.toThrow(SessionDeletedError);

  const gone = await until(async () => (await Promise.all(runs.map((runId) => runExists(deleted, runId)))).every((exists) => !exists), 15_000);
  expect(gone).toBe(true);
  expect(await runExists(deleted)).toBe(false);
  expect(await rowsOf(deleted)).toEqual({ session_tombstones: 1 });

  // Temporal has forgotten the id: it still never starts a session again.
  await expect(stack.client.send(deleted, 'My name is Resurrected.')).rejects.toThrow(SessionDeletedError);
  await expect(stack.client.signal(deleted, 'hello?')).rejects.toThrow(SessionDeletedError);
  await expect(stack.client.addItems(deleted, [{ type: 'message', role: 'user', content: 'x' }])).rejects.toThrow(SessionDeletedError);
  expect(await runExists(deleted)).toBe(false);
  expect(await rowsOf(deleted)).toEqual({ session_tombstones: 1 });
});

test('every read and operation of the library on a deleted id answers SessionDeletedError', async () => {
  const live = 'delete:live';
  await stack.client.send(live, 'Hello');
  const document = await stack.client.exportSession(live);
  const calls: Record<string, () => Promise<unknown>> = {
    status: () => stack.client.status(deleted),
    context: () => stack.client.context(deleted),
    items: () => stack.client.items(deleted),
    workflowItems: () => stack.client.workflowItems(deleted),
    usage: () => stack.client.usage(deleted),
    export: () => stack.client.exportSession(deleted),
    forkFrom: () => stack.client.forkSession(deleted, 'delete:fork-target'),
    forkInto: () => stack.client.forkSession(live, deleted),
    importInto: () => stack.client.importSession(deleted, document),
    pending: () => stack.client.pendingApprovals(deleted),
    labels: () => stack.client.updateLabels(deleted, { tier: 'x' }),
    pop: () => stack.client.popItem(deleted),
    clear: () => stack.client.clearSession(deleted),
    updateContext: () => stack.client.updateContext(deleted, { a: 1 }),
    settings: () => stack.client.updateSettings(deleted, { ttlSeconds: 60 }),
    compact: () => stack.client.compact(deleted),
    delete: () => stack.client.deleteSession(deleted),
    approve: () => stack.client.approve(deleted, 'call_1'),
    send: () => stack.client.send(deleted, 'hi'),
    signal: () => stack.client.signal(deleted, 'hi'),
    stream: async () => {
      for await (const _event of stack.client.stream(deleted, 'hi')) void _event;
    },
  };
  const answers: Record<string, string> = {};
  for (const [name, call] of Object.entries(calls)) {
    answers[name] = await call().then(
      () => 'answered',
      (error: Error) => error.name,
    );
  }
  expect(answers).toEqual(Object.fromEntries(Object.keys(calls).map((name) => [name, 'SessionDeletedError'])));
  expect(await runExists(deleted)).toBe(false);
  expect(await runExists('delete:fork-target')).toBe(false);
});

test('the HTTP API answers 410 SessionDeletedError for every route of a deleted id', async () => {
  const at = `/v1/sessions/${encodeURIComponent(deleted)}`;
  const routes: Array<[string, string, unknown?]> = [
    ['GET', at],
    ['GET', `${at}/context`],
    ['GET', `${at}/items`],
    ['GET', `${at}/usage`],
    ['GET', `${at}/export`],
    ['GET', `${at}/approvals`],
    ['PATCH', `${at}/labels`, { labels: { tier: 'x' } }],
    ['POST', `${at}/pop`, {}],
    ['POST', `${at}/clear`, {}],
    ['POST', `${at}/messages`, { text: 'hi' }],
    ['DELETE', at],
  ];
  const answers: Record<string, string> = {};
  for (const [method, route, body] of routes) {
    const response = await fetch(`${server.url}${route}`, {
      method,
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const json = (await response.json()) as { error?: { type?: string } };
    answers[`${method} ${route}`] = `${response.status} ${json.error?.type}`;
  }
  expect(answers).toEqual(Object.fromEntries(routes.map(([method, route]) => [`${method} ${route}`, '410 SessionDeletedError'])));
  expect(await runExists(deleted)).toBe(false);
});

test('the CLI exits 2 saying the session was deleted, for every command on a deleted id', async () => {
  const env = { TEMPORAL_ADDRESS: stack.temporal.address, DATABASE_URL: stack.db.url, AGENT_SESSIONS_TASK_QUEUE: stack.taskQueue };
  const commands = [
    ['status', '--session', deleted],
    ['context', '--session', deleted],
    ['history', '--session', deleted],
    ['usage', '--session', deleted],
    ['export', '--session', deleted],
    ['fork', '--session', deleted, '--to', 'delete:cli-fork'],
    ['pending', '--session', deleted],
    ['labels', '--session', deleted, '--label', 'tier=x'],
    ['pop', '--session', deleted],
    ['clear', '--session', deleted],
    ['send', '--session', deleted, 'hi'],
    ['delete', '--session', deleted],
  ];
  const answers: Record<string, string> = {};
  for (const args of commands) {
    const run = await runCli(args, env);
    answers[args[0]] = `${run.code} ${/was deleted/.test(run.stderr) ? 'deleted' : run.stderr.trim()}`;
  }
  expect(answers).toEqual(Object.fromEntries(commands.map(([name]) => [name, '2 deleted'])));
});

test('deleting an expired session removes its rows and its executions and leaves a tombstone; expiry alone leaves none', async () => {
  const session = 'delete:expired';
  await stack.client.send(session, 'Hello', { settings: { ttlSeconds: 1 } });
  expect(
    await until(
      async () =>
        !(await stack.client
          .temporalHandle(session)
          .describe()
          .then((d) => d.status.name === 'RUNNING')),
      15_000,
    ),
  ).toBe(true);
  expect(await rowsOf(session)).toMatchObject({ sessions: 1, items: 2 });
  expect((await rowsOf(session)).session_tombstones).toBeUndefined();

  await stack.client.deleteSession(session);
  expect(await until(async () => !(await runExists(session)), 15_000)).toBe(true);
  expect(await rowsOf(session)).toEqual({ session_tombstones: 1 });
  await expect(stack.client.send(session, 'Back?')).rejects.toThrow(SessionDeletedError);
  await expect(stack.client.status(session)).rejects.toThrow(SessionDeletedError);
});
