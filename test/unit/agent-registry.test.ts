/** Declaring agents and tools, and the registry a worker runs them from. */
import { z } from 'zod';
import { AgentRegistry, defineAgent, defineTool, type RunContext } from '../../src/agents';
import { supportAgent } from '../../src/dev/demo-agent';

const run = { sessionId: 's1', agent: 'billing', callId: 'call_1', idempotencyKey: 's1:call_1', attempt: 1, signal: new AbortController().signal };

const refund = defineTool({
  name: 'issue_refund',
  description: 'Refunds an order.',
  parameters: z.object({ order_id: z.string(), amount: z.number().positive() }),
  execute: ({ order_id, amount }, { context }: RunContext<{ refunds?: string[] }>) => {
    context.refunds = [...(context.refunds ?? []), order_id];
    return { refunded: amount };
  },
});
const billing = defineAgent({ name: 'billing', instructions: 'You handle refunds.', tools: [refund] });
const triage = defineAgent({ name: 'triage', instructions: 'You route requests.', handoffs: [billing] });

describe('AgentRegistry', () => {
  test('makes the first agent the default, and registers the agents handoffs lead to', () => {
    const registry = new AgentRegistry([triage]);
    expect(registry.defaultAgent).toBe('triage');
    expect(registry.names).toEqual(['triage', 'billing']);
    expect(registry.find('triage')?.handoffs).toEqual([expect.objectContaining({ toolName: 'transfer_to_billing', target: 'billing' })]);
  });

  test('accepts the same agent twice but refuses two different agents with one name', () => {
    expect(new AgentRegistry([triage, billing]).names).toEqual(['triage', 'billing']);
    expect(() => new AgentRegistry([billing, { ...triage, name: 'billing' }])).toThrow('two different agents are named "billing"');
  });

  test('refuses an empty list, a handoff to an agent it does not know, and code for an undeclared tool', () => {
    expect(() => new AgentRegistry([])).toThrow('at least one agent');
    expect(() => new AgentRegistry([defineAgent({ name: 'a', instructions: 'x', handoffs: ['nobody'] })])).toThrow(
      'the agent "a" hands off to "nobody", which is not registered with this worker',
    );
    expect(() => new AgentRegistry([billing], { issue_refnd: () => 'x' })).toThrow('no registered agent declares that tool');
  });

  test('refuses a tool named like a built-in memory tool while those are on', () => {
    const remember = defineTool({ name: 'remember', description: 'Mine.', parameters: z.object({}), execute: () => 'ok' });
    const agent = defineAgent({ name: 'notes', instructions: 'x', tools: [remember] });
    expect(() => new AgentRegistry([agent], {}, ['remember', 'recall', 'forget'])).toThrow(/built-in memory tool.*memory: \{ tools: false \}/);
    expect(new AgentRegistry([agent]).names).toEqual(['notes']);
  });

  test('refuses to start when a declared tool has no implementation, and takes one from the tools map', () => {
    const declared = defineTool({ name: 'ping', description: 'Answers pong.', parameters: z.object({}) });
    const agent = defineAgent({ name: 'helper', instructions: 'x', tools: [declared] });
    expect(() => new AgentRegistry([agent])).toThrow('the tool "ping" of the agent "helper" has no implementation');
    return expect(new AgentRegistry([agent], { ping: () => 'pong' }).find('helper')?.tools[0].invoke('{}', {}, run)).resolves.toEqual({ output: 'pong', failed: false });
  });
});

describe('a declared tool, as the worker runs it', () => {
  const tool = new AgentRegistry([billing]).find('billing')!.tools[0];

  test('offers its zod parameters as JSON schema', () => {
    expect(tool.parameters).toMatchObject({ type: 'object', required: ['order_id', 'amount'] });
    expect(tool.parameters).not.toHaveProperty('$schema');
  });

  test('answers bad JSON and arguments its schema refuses with an error the model can read, marked failed', async () => {
    await expect(tool.invoke('{not json', {}, run)).resolves.toEqual({ output: 'Error: the arguments for issue_refund are not valid JSON.', failed: true });
    await expect(tool.invoke('{"order_id":"1","amount":-3}', {}, run)).resolves.toEqual({
      output: expect.stringMatching(/^Error: invalid arguments for issue_refund: amount/),
      failed: true,
    });
  });

  test('sends a JSON result as JSON text, and changes the context it is given', async () => {
    const context: Record<string, unknown> = { refunds: ['0'] };
    await expect(tool.invoke('{"order_id":"7","amount":5}', context, run)).resolves.toEqual({ output: '{"refunded":5}', failed: false });
    expect(context).toEqual({ refunds: ['0', '7'] });
  });
});

describe('instructions', () => {
  test('are computed from the context, and may be async', async () => {
    const support = new AgentRegistry([supportAgent]).find('support')!;
    await expect(support.instructions({ tier: 'enterprise' }, run)).resolves.toContain('priority line');
    await expect(support.instructions({ tier: 'free' }, run)).resolves.not.toContain('priority line');
    const later = defineAgent<{ name: string }>({ name: 'later', instructions: async ({ context }) => `Greet ${context.name}.` });
    await expect(new AgentRegistry([later]).find('later')!.instructions({ name: 'Ada' }, run)).resolves.toBe('Greet Ada.');
  });
});

describe('defineTool and defineAgent', () => {
  test('refuse a tool name the model API would refuse, and an agent name with control characters', () => {
    const tool = (name: string) => () => defineTool({ name, description: 'd', parameters: z.object({}) });
    expect(tool('look up order')).toThrow('tool name "look up order" must be 1-64 letters, digits, _ or -');
    expect(tool('')).toThrow();
    expect(tool('a'.repeat(65))).toThrow();
    expect(tool('a'.repeat(64))).not.toThrow();
    expect(() => defineAgent({ name: 'bad\nname', instructions: 'x' })).toThrow('must not contain control characters');
    expect(() => defineAgent({ name: 'Billing agent', instructions: 'x' })).not.toThrow();
  });
});
