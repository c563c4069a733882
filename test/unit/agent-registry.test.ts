/** Declaring agents and tools, and finding them by name in the registry a worker serves. */
import { z } from 'zod';
import { supportAgent } from '../../src/agents/support';
import { type Agent, AgentRegistry, defineTool, resolveInstructions } from '../../src/shared/agent';

const ping = defineTool({ name: 'ping', description: 'Answers pong.', parameters: z.object({}) });
const refund = defineTool({
  name: 'issue_refund',
  description: 'Refunds an order.',
  parameters: z.object({ order_id: z.string() }),
});

const billingAgent: Agent = { name: 'billing', instructions: 'You handle refunds.', tools: [refund] };
const helperAgent: Agent = { name: 'helper', instructions: 'You help.', tools: [ping] };

describe('AgentRegistry', () => {
  test('makes the first agent the default for new sessions', () => {
    expect(new AgentRegistry([billingAgent, helperAgent]).defaultAgent).toBe('billing');
    expect(new AgentRegistry([helperAgent, billingAgent]).defaultAgent).toBe('helper');
  });

  test('refuses two agents with the same name', () => {
    expect(() => new AgentRegistry([billingAgent, { ...helperAgent, name: 'billing' }])).toThrow(
      'two agents are named "billing"',
    );
  });

  test('refuses an empty list of agents', () => {
    expect(() => new AgentRegistry([])).toThrow('at least one agent');
  });

  test('finds agents by name and answers undefined for an unknown one', () => {
    const registry = new AgentRegistry([billingAgent, helperAgent]);
    expect(registry.find('helper')).toBe(helperAgent);
    expect(registry.find('nobody')).toBeUndefined();
  });

  test("findTool finds an agent's own tool but not another agent's", () => {
    const registry = new AgentRegistry([billingAgent, helperAgent]);
    expect(registry.findTool('billing', 'issue_refund')).toBe(refund);
    expect(registry.findTool('helper', 'issue_refund')).toBeUndefined();
    expect(registry.findTool('nobody', 'ping')).toBeUndefined();
  });
});

describe('defineTool', () => {
  test('refuses a name with spaces', () => {
    expect(() => defineTool({ name: 'look up order', description: 'd', parameters: z.object({}) })).toThrow(
      'tool name "look up order" must be 1-64 letters, digits, _ or -',
    );
  });

  test('refuses an empty name and one longer than 64 characters, but accepts 64', () => {
    const tool = (name: string) => () => defineTool({ name, description: 'd', parameters: z.object({}) });
    expect(tool('')).toThrow();
    expect(tool('a'.repeat(65))).toThrow();
    expect(tool('a'.repeat(64))).not.toThrow();
  });
});

describe('resolveInstructions', () => {
  test('gives string instructions as they are', () => {
    expect(resolveInstructions(billingAgent, { tier: 'enterprise' })).toBe('You handle refunds.');
  });

  test("computes the support agent's instructions from the context", () => {
    expect(resolveInstructions(supportAgent, { tier: 'enterprise' })).toContain('priority line');
    expect(resolveInstructions(supportAgent, { tier: 'free' })).not.toContain('priority line');
    expect(resolveInstructions(supportAgent, {})).toContain('lookup_order');
  });
});
