/**
 * The examples under examples/ do on real parts what their README promises (the model's replies are
 * scripted). Jest maps `agent-sessions/*` to the sources; test/package.test.ts loads an agents module
 * through the installed bin.
 */
import * as customerSupport from '../examples/customer-support/agents';
import * as preferences from '../examples/preferences/agents';
import * as shoppingCart from '../examples/shopping-cart/agents';
import * as triage from '../examples/triage/agents';
import { startTestStack, type TestStack } from './support/stack';

let stack: TestStack;

beforeAll(async () => {
  stack = await startTestStack({
    agents: [...customerSupport.agents, ...triage.agents, ...shoppingCart.agents, ...preferences.agents],
    memory: preferences.memory,
  });
});

afterAll(async () => {
  await stack?.stop();
});

beforeEach(() => stack.model.reset());

test('customer support: the tools change the customer in the context, and a bad email is refused to the model', async () => {
  const session = 'ada:support';
  stack.model.enqueue(
    { toolCalls: [{ name: 'update_email', arguments: { email: 'not an email' } }] },
    { toolCalls: [{ name: 'update_email', arguments: { email: 'ada@example.com' } }] },
    { text: 'Done.' },
  );
  const turn = await stack.client.send(session, { text: 'Change my email', agent: 'support' }, { context: { name: 'Ada', plan: 'free' } });
  const outputs = turn.items.flatMap((entry) => (entry.item.type === 'function_call_output' ? [entry.item.output] : []));
  expect(outputs).toEqual([expect.stringMatching(/^Error: invalid arguments for update_email: email/), 'Email set to ada@example.com.']);
  expect(await stack.client.context(session)).toEqual({ name: 'Ada', plan: 'free', email: 'ada@example.com' });
  expect(stack.model.requests[0].messages[0].content).toContain('You help Ada (plan: free, email: unknown)');
});

test('triage: hands off to billing, which uses its tool, then back to triage and on to technical', async () => {
  const session = 'bo:help';
  stack.model.enqueue(
    { toolCalls: [{ name: 'transfer_to_billing', arguments: {} }] },
    { toolCalls: [{ name: 'lookup_invoice', arguments: { invoice_id: 'INV-2' } }] },
    { text: 'You owe 17.50 EUR.' },
  );
  expect(await stack.client.send(session, { text: 'What do I owe on INV-2?', agent: 'triage' })).toMatchObject({ agent: 'billing' });
  stack.model.enqueue(
    { toolCalls: [{ name: 'transfer_to_triage', arguments: {} }] },
    { toolCalls: [{ name: 'transfer_to_technical', arguments: {} }] },
    { toolCalls: [{ name: 'check_status_page', arguments: {} }] },
    { text: 'The dashboard is degraded.' },
  );
  expect(await stack.client.send(session, 'The dashboard is slow')).toMatchObject({ agent: 'technical' });
  const items = await stack.client.items(session);
  expect(
    items.filter((entry) => entry.item.type === 'function_call_output').map((entry) => [entry.agent, entry.item.type === 'function_call_output' && entry.item.output]),
  ).toEqual([
    ['triage', '{"assistant":"billing"}'],
    ['billing', '17.50 EUR, due on the 30th'],
    ['billing', '{"assistant":"triage"}'],
    ['triage', '{"assistant":"technical"}'],
    ['technical', '{"api":"operational","dashboard":"degraded performance since 09:12 UTC"}'],
  ]);
});

test('shopping cart: the cart stays in the context across turns and a worker restart, and the instructions show it', async () => {
  const session = 'cy:cart';
  stack.model.enqueue(
    {
      toolCalls: [
        { name: 'add_to_cart', arguments: { product: 'Apples', quantity: 3 } },
        { name: 'add_to_cart', arguments: { product: 'coffee' } },
      ],
    },
    { text: 'Added.' },
  );
  await stack.client.send(session, { text: 'Three apples and a coffee', agent: 'shop' });
  await stack.stopWorkers();
  await stack.startWorker();
  await stack.client.send(session, 'What is in my cart?');
  expect(await stack.client.context(session)).toEqual({ lines: { apples: 3, coffee: 1 } });
  expect(stack.model.requests.at(-1)?.messages[0].content).toContain('3 × apples, 1 × coffee; total 9.40 EUR.');
});

test("preferences: what the chef remembers in one session, a new session of the same user knows; another user's does not", async () => {
  stack.model.enqueue(
    {
      toolCalls: [
        { name: 'remember', arguments: { key: 'diet', text: 'Dee is vegetarian.' } },
        { name: 'remember', arguments: { key: 'household', text: 'Cooks for four.' } },
      ],
    },
    { text: 'Noted: vegetarian, for four.' },
  );
  await stack.client.send('dee:monday', { text: 'I am vegetarian, and we are four at home', agent: 'chef' }, { userId: 'dee' });
  expect(stack.model.requests[0].messages[0].content).toContain('You know nothing about this user yet.');

  stack.model.enqueue({ text: 'A lentil lasagne for four.' });
  await stack.client.send('dee:friday', { text: 'What should I cook tonight?', agent: 'chef' }, { userId: 'dee' });
  const friday = String(stack.model.requests.at(-1)?.messages[0].content);
  expect(friday).toContain('Dee is vegetarian.');
  expect(friday).toContain('Cooks for four.');
  expect(friday).not.toContain('You know nothing');

  stack.model.enqueue({ text: 'How about steak?' });
  await stack.client.send('eve:friday', { text: 'What should I cook tonight?', agent: 'chef' }, { userId: 'eve' });
  expect(String(stack.model.requests.at(-1)?.messages[0].content)).not.toContain('vegetarian');
});
