/**
 * Agents defined by the user and registered with the worker: typed context, async instructions, tools
 * that change the context, handoffs between several agents in one session, a message that names its
 * agent, and an `@openai/agents` Agent registered unchanged. On a real stack with the offline model.
 */
import { Agent as SdkAgent, handoff as sdkHandoff, tool as sdkTool } from '@openai/agents';
import { z } from 'zod';
import { defineAgent, defineTool, type RunContext } from '../src/agents';
import { UnknownAgentError } from '../src/client/errors';
import { startTestStack, type TestStack } from './support/stack';

interface Customer extends Record<string, unknown> {
  customer: string;
  credits?: number;
  bookings?: number[];
}

const addCredit = defineTool({
  name: 'add_credit',
  description: 'Adds credit to the customer account.',
  parameters: z.object({ amount: z.number().int().positive() }),
  execute: ({ amount }, { context }: RunContext<Customer>) => {
    context.credits = (context.credits ?? 0) + amount;
    return `The account now has ${context.credits} credits.`;
  },
});

const technical = defineAgent<Customer>({ name: 'technical', instructions: 'You fix technical problems.', handoffs: ['triage'] });
const billing = defineAgent<Customer>({
  name: 'billing',
  instructions: async ({ context }) => `You handle billing. ${context.customer} has ${context.credits ?? 0} credits.`,
  tools: [addCredit],
  handoffs: ['triage', technical],
  handoffDescription: 'Invoices, refunds and credits.',
});
const triage = defineAgent<Customer>({ name: 'triage', instructions: 'You route each request to the right specialist.', handoffs: [billing, technical] });

const sdkSpecialist = new SdkAgent({ name: 'SDK specialist', instructions: 'You are the specialist.' });
const sdkConcierge = new SdkAgent<Customer>({
  name: 'sdk-concierge',
  instructions: (run) => `You are the concierge of ${run.context.customer}.`,
  tools: [
    sdkTool({
      name: 'book_table',
      description: 'Books a table.',
      parameters: z.object({ guests: z.number().int() }),
      execute: ({ guests }, run) => {
        const context = run!.context as Customer;
        context.bookings = [...(context.bookings ?? []), guests];
        return `Booked a table for ${guests}.`;
      },
    }),
  ],
  handoffs: [sdkSpecialist],
});

let stack: TestStack;
let counter = 0;
const newSession = (kind: string) => `agents-${++counter}:${kind}`;

beforeAll(async () => {
  stack = await startTestStack({ agents: [triage, sdkConcierge] });
});

afterAll(async () => {
  await stack?.stop();
});

beforeEach(() => stack.model.reset());

/** The system prompt and tool names of the model's requests since the last reset. */
function requestsSeen(): { system: string; tools: string[] }[] {
  return stack.model.requests.map((request) => ({
    system: String(request.messages[0]?.role === 'system' ? request.messages[0].content : ''),
    tools: (request.tools ?? []).map((tool) => tool.function?.name ?? ''),
  }));
}

describe('several agents in one session', () => {
  test('triage hands off to billing, billing stays across turns, then hands off to technical support; every item records its agent', async () => {
    const session = newSession('handoffs');
    stack.model.enqueue({ toolCalls: [{ name: 'transfer_to_billing', arguments: {} }] }, { text: 'Billing here.' });
    const first = await stack.client.send(session, 'My invoice is wrong', { context: { customer: 'Ada' } });
    expect(first).toMatchObject({ reply: 'Billing here.', agent: 'billing' });

    stack.model.enqueue({ toolCalls: [{ name: 'add_credit', arguments: { amount: 5 } }] }, { text: 'Added 5 credits.' });
    expect(await stack.client.send(session, 'Please add 5 credits')).toMatchObject({ agent: 'billing' });

    stack.model.enqueue({ toolCalls: [{ name: 'transfer_to_technical', arguments: {} }] }, { text: 'Technical support here.' });
    expect(await stack.client.send(session, 'Also, the app crashes')).toMatchObject({ agent: 'technical' });

    expect(requestsSeen()).toEqual([
      { system: 'You route each request to the right specialist.', tools: ['transfer_to_billing', 'transfer_to_technical'] },
      { system: 'You handle billing. Ada has 0 credits.', tools: ['add_credit', 'transfer_to_triage', 'transfer_to_technical'] },
      { system: 'You handle billing. Ada has 0 credits.', tools: ['add_credit', 'transfer_to_triage', 'transfer_to_technical'] },
      { system: 'You handle billing. Ada has 5 credits.', tools: ['add_credit', 'transfer_to_triage', 'transfer_to_technical'] },
      { system: 'You handle billing. Ada has 5 credits.', tools: ['add_credit', 'transfer_to_triage', 'transfer_to_technical'] },
      { system: 'You fix technical problems.', tools: ['transfer_to_triage'] },
    ]);
    expect(await stack.client.context(session)).toEqual({ customer: 'Ada', credits: 5 });
    expect((await stack.client.status(session)).agent).toBe('technical');

    const expected = [
      ['triage', 'message'],
      ['triage', 'function_call'],
      ['triage', 'function_call_output'],
      ['billing', 'message'],
      ['billing', 'message'],
      ['billing', 'function_call'],
      ['billing', 'function_call_output'],
      ['billing', 'message'],
      ['billing', 'message'],
      ['billing', 'function_call'],
      ['billing', 'function_call_output'],
      ['technical', 'message'],
    ];
    const projected = await stack.client.items(session);
    expect(projected.map((entry) => [entry.agent, entry.item.type])).toEqual(expected);
    expect(await stack.client.workflowItems(session)).toEqual(projected);
    expect(projected[2].item).toEqual({ type: 'function_call_output', call_id: expect.any(String), output: '{"assistant":"billing"}' });
  });

  test('a message may name the agent that answers, and that agent stays active', async () => {
    const session = newSession('named');
    await stack.client.send(session, { text: 'Straight to billing', agent: 'billing' }, { context: { customer: 'Bo' } });
    await stack.client.send(session, 'And again');
    expect(requestsSeen().map((request) => request.system)).toEqual(['You handle billing. Bo has 0 credits.', 'You handle billing. Bo has 0 credits.']);
    expect((await stack.client.items(session)).map((entry) => entry.agent)).toEqual(['billing', 'billing', 'billing', 'billing']);
  });

  test('naming an agent the worker does not serve fails that message with UnknownAgentError and changes nothing', async () => {
    const session = newSession('unknown');
    await stack.client.send(session, 'Hello', { context: { customer: 'Cy' } });
    const failure = stack.client.send(session, { text: 'Hi', agent: 'nobody' });
    await expect(failure).rejects.toThrow(UnknownAgentError);
    await expect(failure).rejects.toThrow('this worker has no agent named "nobody" (it serves "triage", "sdk-concierge", "billing", "technical", "SDK specialist")');
    expect(await stack.client.items(session)).toHaveLength(2);
    expect((await stack.client.status(session)).agent).toBe('triage');
    expect(await stack.client.send(session, 'Still there?')).toMatchObject({ agent: 'triage' });
  });
});

describe('an @openai/agents Agent, registered unchanged', () => {
  test('runs durably: dynamic instructions, a function tool that changes the context, and a handoff', async () => {
    const session = newSession('sdk');
    stack.model.enqueue({ toolCalls: [{ name: 'book_table', arguments: { guests: 4 } }] }, { text: 'Your table is booked.' });
    const booked = await stack.client.send(session, { text: 'A table for four', agent: 'sdk-concierge' }, { context: { customer: 'Dee' } });
    expect(booked).toMatchObject({ reply: 'Your table is booked.', agent: 'sdk-concierge' });
    expect(booked.items[2].item).toEqual({ type: 'function_call_output', call_id: expect.any(String), output: 'Booked a table for 4.' });
    expect(await stack.client.context(session)).toEqual({ customer: 'Dee', bookings: [4] });

    const toolName = sdkHandoff(sdkSpecialist).toolName;
    stack.model.enqueue({ toolCalls: [{ name: toolName, arguments: {} }] }, { text: 'Specialist here.' });
    expect(await stack.client.send(session, 'I need the specialist')).toMatchObject({ agent: 'SDK specialist', reply: 'Specialist here.' });
    expect(requestsSeen()).toEqual([
      { system: 'You are the concierge of Dee.', tools: ['book_table', toolName] },
      { system: 'You are the concierge of Dee.', tools: ['book_table', toolName] },
      { system: 'You are the concierge of Dee.', tools: ['book_table', toolName] },
      { system: 'You are the specialist.', tools: [] },
    ]);
  });
});
