/**
 * A customer-support bot whose context is the customer: the instructions read it, and the tools
 * change it (a new email address, an upgraded plan). Run: npx agent-sessions dev --agents examples/customer-support/agents.ts
 */
import { z } from 'zod';
import { defineAgent, defineTool, type RunContext, type ToolRunContext } from 'agent-sessions/worker';

/** The customer a support session is about; set when the session starts, changed by the tools. */
export interface Customer extends Record<string, unknown> {
  name?: string;
  email?: string;
  plan?: 'free' | 'plus' | 'pro';
}

const updateEmail = defineTool({
  name: 'update_email',
  description: "Changes the customer's email address.",
  parameters: z.object({ email: z.email() }),
  execute: ({ email }, { context }: RunContext<Customer>) => {
    const previous = context.email;
    context.email = email;
    return previous ? `Email changed from ${previous} to ${email}.` : `Email set to ${email}.`;
  },
});

/**
 * Stands in for your billing provider, which charges once per idempotency key (Stripe: the
 * Idempotency-Key header): a tool runs at least once, and every run of one call has the same key.
 */
const billing = {
  charges: new Map<string, { customer: string; plan: string }>(),
  charge(customer: string, plan: string, idempotencyKey: string): void {
    if (!this.charges.has(idempotencyKey)) this.charges.set(idempotencyKey, { customer, plan });
  },
};

const upgradePlan = defineTool({
  name: 'upgrade_plan',
  description: "Upgrades the customer's plan.",
  parameters: z.object({ plan: z.enum(['plus', 'pro']) }),
  execute: ({ plan }, { context, idempotencyKey }: ToolRunContext<Customer>) => {
    if (context.plan === plan) return `The customer is already on ${plan}.`;
    billing.charge(context.name ?? 'unknown', plan, idempotencyKey); // a retried call is not charged twice
    context.plan = plan;
    return `Upgraded to ${plan}.`;
  },
});

/** The support agent: knows who it is talking to, and keeps the account up to date. */
export const support = defineAgent<Customer>({
  name: 'support',
  instructions: ({ context }) =>
    `You help ${context.name ?? 'a customer'} (plan: ${context.plan ?? 'free'}, email: ${context.email ?? 'unknown'}). ` +
    'Change the account only with the tools, and confirm what changed.',
  tools: [updateEmail, upgradePlan],
});

export const agents = [support];
