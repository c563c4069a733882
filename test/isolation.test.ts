/**
 * Isolation: users whose ids look alike (`ada`, `ada2`, `ad`, `ada_x`, `ada.x`) and sessions whose ids
 * share prefixes never see each other's items, context, memories or sessions, through the library, the
 * CLI, the HTTP API and what the model is sent; ids that only look like another (invisible characters)
 * are refused.
 */
import { InvalidInputError } from '../src/client/errors';
import { startHttpServer, type RunningHttpServer } from '../src/server/http-server';
import { runCli } from './support/cli';
import { startTestStack, type TestStack } from './support/stack';

const USERS = ['ada', 'ada2', 'ad', 'ada_x', 'ada.x'] as const;
const sessionsOf = (user: string) => [`${user}:support`, `${user}:support-2`];
const textIn = (session: string) => `I write only in ${session}.`;
const factOf = (user: string) => `fact belonging to ${user} only`;

let stack: TestStack;
let server: RunningHttpServer;
let cliEnv: Record<string, string>;

beforeAll(async () => {
  stack = await startTestStack();
  server = await startHttpServer({ client: stack.client });
  cliEnv = { TEMPORAL_ADDRESS: stack.temporal.address, DATABASE_URL: stack.db.url, AGENT_SESSIONS_TASK_QUEUE: stack.taskQueue };
  for (const user of USERS) {
    await stack.client.addMemory(user, { text: factOf(user) });
    for (const session of sessionsOf(user)) await stack.client.send(session, textIn(session), { userId: user, context: { owner: session } });
  }
});

afterAll(async () => {
  await server?.close();
  await stack?.stop();
});

/** The sessions whose text appears in a JSON dump, of all the sessions set up. */
function sessionsNamedIn(dump: string): string[] {
  return USERS.flatMap(sessionsOf).filter((session) => dump.includes(textIn(session)));
}

/** The users whose fact appears in a dump. */
function usersNamedIn(dump: string): string[] {
  return USERS.filter((user) => dump.includes(factOf(user)));
}

/** The status and body a GET to the HTTP API answers. */
async function get(path: string): Promise<{ status: number; body: string }> {
  const response = await fetch(`${server.url}${path}`);
  return { status: response.status, body: await response.text() };
}

describe('through the library', () => {
  test("a session's items, context and export hold only its own conversation", async () => {
    for (const session of USERS.flatMap(sessionsOf)) {
      expect(sessionsNamedIn(JSON.stringify(await stack.client.items(session)))).toEqual([session]);
      expect(await stack.client.context(session)).toEqual({ owner: session });
      expect(sessionsNamedIn(JSON.stringify(await stack.client.exportSession(session)))).toEqual([session]);
    }
  });

  test("a user's sessions and memories are theirs alone, even when another user's id starts the same way", async () => {
    for (const user of USERS) {
      const listed = (await stack.client.list({ userId: user })).sessions.map((session) => session.sessionId).sort();
      expect(listed).toEqual(sessionsOf(user).sort());
      expect((await stack.client.list({ prefix: `${user}:` })).sessions.map((session) => session.sessionId).sort()).toEqual(sessionsOf(user).sort());
      expect((await stack.client.listMemories(user)).map((memory) => memory.text)).toEqual([factOf(user)]);
    }
  });

  test("one user cannot delete another's memory by its id", async () => {
    const [adaFact] = await stack.client.listMemories('ada');
    await expect(stack.client.deleteMemory('ada2', { id: adaFact.id })).resolves.toBeUndefined();
    expect(await stack.client.listMemories('ada')).toHaveLength(1);
  });

  test("the model is sent the session's own items and its user's memories only", async () => {
    stack.model.reset();
    await stack.client.send('ada2:support', 'What do you know about me?');
    const sent = JSON.stringify(stack.model.requests);
    expect(usersNamedIn(sent)).toEqual(['ada2']);
    expect(sessionsNamedIn(sent)).toEqual(['ada2:support']);
  });
});

describe('through the CLI', () => {
  test('history, memory list and list --user show one session or one user', async () => {
    const history = await runCli(['history', '--session', 'ada:support', '--json'], cliEnv);
    expect(history.code).toBe(0);
    expect(sessionsNamedIn(history.stdout)).toEqual(['ada:support']);
    const memories = await runCli(['memory', 'list', '--user', 'ada_x'], cliEnv);
    expect(memories.code).toBe(0);
    expect(usersNamedIn(memories.stdout)).toEqual(['ada_x']);
    const listed = await runCli(['list', '--user', 'ada'], cliEnv);
    expect(listed.code).toBe(0);
    expect(listed.stdout).toContain('ada:support-2');
    expect(listed.stdout).not.toMatch(/ada2:|ad:|ada_x:|ada\.x:/);
  });
});

describe('through the HTTP API', () => {
  test("a session's items, context and export, and a user's sessions, are theirs alone", async () => {
    for (const session of sessionsOf('ada.x')) {
      for (const part of ['items', 'context', 'export']) {
        const answer = await get(`/v1/sessions/${encodeURIComponent(session)}/${part}`);
        expect(answer.status).toBe(200);
        if (part === 'context') expect(JSON.parse(answer.body)).toEqual({ owner: session });
        else expect(sessionsNamedIn(answer.body)).toEqual([session]);
      }
    }
    const listed = JSON.parse((await get('/v1/sessions?user=ada')).body) as { sessions: Array<{ sessionId: string }> };
    expect(listed.sessions.map((session) => session.sessionId).sort()).toEqual(sessionsOf('ada').sort());
  });
});

describe('ids that only look like another', () => {
  test('a session id with an invisible character is refused everywhere, never read as the visible one', async () => {
    const lookalike = 'ada:sup\u200Bport';
    await expect(stack.client.items(lookalike)).rejects.toThrow(InvalidInputError);
    await expect(stack.client.send(lookalike, 'hi')).rejects.toThrow(/session id must not contain whitespace, control or invisible characters/);
    expect((await get(`/v1/sessions/${encodeURIComponent(lookalike)}/items`)).status).toBe(400);
    const cli = await runCli(['history', '--session', lookalike], cliEnv);
    expect(cli.code).toBe(2);
    expect(cli.stderr).toMatch(/invisible characters/);
  });

  test('a session id with the joiners emoji need is a session of its own', async () => {
    const family = 'family:\u{1F468}\u200D\u{1F469}\u200D\u{1F467}';
    await stack.client.send(family, 'Hello from the family');
    expect(sessionsNamedIn(JSON.stringify(await stack.client.items(family)))).toEqual([]);
    expect((await stack.client.items(family)).length).toBe(2);
  });
});
