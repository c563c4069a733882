/** The conversation core, end to end on real parts. */
import { startTestStack, type TestStack } from './support/stack';

let stack: TestStack;

beforeAll(async () => {
  stack = await startTestStack();
});

afterAll(async () => {
  await stack?.stop();
});

beforeEach(() => stack.model.reset());

test('a session remembers a name told in an earlier turn', async () => {
  const first = await stack.client.send('memory:alice', 'Hi, my name is Alice.');
  expect(first.reply).toContain('Alice');
  const second = await stack.client.send('memory:alice', "What's my name?");
  expect(second.reply).toContain('Your name is Alice');
  expect(second.items.map((entry) => entry.seq)).toEqual([3, 4]);
});
