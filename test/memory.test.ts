/**
 * Long-term memory per user: a session that belongs to a user gets the built-in memory tools and the
 * user's memories in its instructions; a new session of the same user recalls what an earlier one
 * stored; no memory ever reaches another user; the library and the CLI manage memories directly.
 */
import { InvalidInputError } from '../src/client/errors';
import { runCli } from './support/cli';
import { startTestStack, type TestStack } from './support/stack';

let stack: TestStack;
let counter = 0;
const user = (name: string) => `${name}${++counter}@example.com`;

beforeAll(async () => {
  stack = await startTestStack();
});

afterAll(async () => {
  await stack?.stop();
});

beforeEach(() => stack.model.reset());

/** The system prompt of the model's latest request. */
function lastSystemPrompt(): string {
  const request = stack.model.requests[stack.model.requests.length - 1];
  return String(request.messages[0]?.role === 'system' ? request.messages[0].content : '');
}

/** The tool names of the model's latest request. */
function lastTools(): string[] {
  const request = stack.model.requests[stack.model.requests.length - 1];
  return (request.tools ?? []).map((tool) => tool.function?.name ?? '');
}

describe('memory across sessions', () => {
  test('a new session of the same user recalls what an earlier session stored with the remember tool', async () => {
    const ada = user('ada');
    stack.model.enqueue({ toolCalls: [{ name: 'remember', arguments: { text: 'Ada is vegetarian.', key: 'diet' } }] }, { text: 'Noted.' });
    await stack.client.send(`${ada}:first`, 'Remember that I am vegetarian', { userId: ada });
    expect(lastTools()).toEqual(expect.arrayContaining(['remember', 'recall', 'forget']));

    stack.model.enqueue({ text: 'How about a mushroom risotto?' });
    await stack.client.send(`${ada}:second`, 'What should I cook tonight?', { userId: ada });
    expect(lastSystemPrompt()).toContain('Ada is vegetarian.');

    const [memory] = await stack.client.listMemories(ada);
    expect(memory).toMatchObject({ userId: ada, key: 'diet', text: 'Ada is vegetarian.', sourceSession: `${ada}:first` });
    expect((await stack.client.status(`${ada}:second`)).userId).toBe(ada);
  });

  test('memories never reach another user: not in the instructions, not through recall, and forget cannot remove them', async () => {
    const ada = user('ada');
    const bob = user('bob');
    const secret = await stack.client.addMemory(ada, { text: 'Ada keeps her spare key under the blue pot.' });

    stack.model.enqueue(
      {
        toolCalls: [
          { name: 'recall', arguments: { query: 'spare key blue pot' } },
          { name: 'forget', arguments: { id: secret.id } },
        ],
      },
      { text: 'I know nothing about that.' },
    );
    const turn = await stack.client.send(`${bob}:chat`, 'Where is the spare key?', { userId: bob });
    expect(JSON.stringify(stack.model.requests)).not.toContain('Ada keeps');
    const outputs = turn.items.flatMap((entry) => (entry.item.type === 'function_call_output' ? [String(entry.item.output)] : []));
    expect(outputs).toEqual(['[]', 'No remembered fact matched; nothing was forgotten.']);
    expect(await stack.client.listMemories(ada)).toEqual([secret]);
    expect(await stack.client.listMemories(bob)).toEqual([]);
  });

  test('a session without a user gets no memory tools and no memories', async () => {
    stack.model.enqueue({ text: 'Hello.' });
    await stack.client.send(`anonymous-${++counter}`, 'Hi');
    expect(lastTools()).not.toContain('remember');
    expect(lastSystemPrompt()).not.toContain('What you remember');
  });

  test('recall finds memories by their words; forget removes by key; a keyed memory is replaced, not duplicated', async () => {
    const ada = user('ada');
    await stack.client.addMemory(ada, { text: 'Prefers window seats on trains.', key: 'seat' });
    await stack.client.addMemory(ada, { text: 'Prefers aisle seats on trains.', key: 'seat' });
    await stack.client.addMemory(ada, { text: 'Allergic to peanuts.' });
    expect((await stack.client.listMemories(ada)).map((memory) => memory.text)).toEqual(['Allergic to peanuts.', 'Prefers aisle seats on trains.']);

    stack.model.enqueue(
      {
        toolCalls: [
          { name: 'recall', arguments: { query: 'trains' } },
          { name: 'forget', arguments: { key: 'seat' } },
        ],
      },
      { text: 'Done.' },
    );
    const turn = await stack.client.send(`${ada}:travel`, 'Forget my seat preference', { userId: ada });
    const [recalled, forgotten] = turn.items.flatMap((entry) => (entry.item.type === 'function_call_output' ? [String(entry.item.output)] : []));
    expect(JSON.parse(recalled)).toEqual([expect.objectContaining({ key: 'seat', text: 'Prefers aisle seats on trains.' })]);
    expect(forgotten).toMatch(/^Forgot #\d+\.$/);
    expect((await stack.client.listMemories(ada)).map((memory) => memory.text)).toEqual(['Allergic to peanuts.']);
  });

  test('bad memory input is refused at the boundary with the reason', async () => {
    await expect(stack.client.addMemory('not a user id', { text: 'x' })).rejects.toThrow(InvalidInputError);
    await expect(stack.client.addMemory(user('ada'), { text: '   ' })).rejects.toThrow(/must not be empty/);
    await expect(stack.client.addMemory(user('ada'), { text: 'nul \u0000 here' })).rejects.toThrow(InvalidInputError);
    await expect(stack.client.send(`bad-user-${++counter}`, 'Hi', { userId: 'a:b' })).rejects.toThrow(/user id/);
  });

  test('a tool the model calls with bad arguments gets the reason back and stores nothing', async () => {
    const ada = user('ada');
    stack.model.enqueue({ toolCalls: [{ name: 'remember', arguments: { text: '' } }] }, { text: 'Sorry.' });
    const turn = await stack.client.send(`${ada}:oops`, 'Remember nothing', { userId: ada });
    const output = turn.items.find((entry) => entry.item.type === 'function_call_output');
    // The failure is marked in the activity's result only: the item, and the model's next request, keep their wire shape.
    const error = expect.stringMatching(/^Error: invalid arguments for remember: text: /);
    expect(output?.item).toEqual({ type: 'function_call_output', call_id: expect.any(String), output: error });
    expect(stack.model.requests[1].messages.at(-1)).toEqual({ role: 'tool', tool_call_id: expect.any(String), content: error });
    expect(await stack.client.listMemories(ada)).toEqual([]);
  });
});

describe('the memory command', () => {
  test('memory add, list and delete work on one user only', async () => {
    const env = { DATABASE_URL: stack.db.url };
    const ada = user('ada');
    const bob = user('bob');
    expect(await runCli(['memory', 'add', '--user', ada, '--key', 'city', 'Lives', 'in', 'Oslo'], env)).toMatchObject({ code: 0 });
    await runCli(['memory', 'add', '--user', bob, 'Lives in Lima'], env);

    const listed = await runCli(['memory', 'list', '--user', ada], env);
    expect(listed.stdout).toMatch(/^#\d+ \[city\] Lives in Oslo\n$/);
    expect(await runCli(['memory', 'delete', '--user', bob, '--key', 'city'], env)).toMatchObject({ code: 2, stderr: expect.stringMatching(/no memory with key city/) });
    expect(await runCli(['memory', 'delete', '--user', ada, '--key', 'city'], env)).toMatchObject({ code: 0, stdout: expect.stringMatching(/^forgot #\d+/) });
    expect((await runCli(['memory', 'list', '--user', ada], env)).stdout).toBe(`(no memories for user ${ada})\n`);
    expect((await stack.client.listMemories(bob)).map((memory) => memory.text)).toEqual(['Lives in Lima']);
    expect(await runCli(['memory', 'list'], env)).toMatchObject({ code: 2, stderr: expect.stringContaining('--user') });
  });
});
