/**
 * The demo agent: a customer-support assistant that looks up orders. Its context says who the
 * customer is; the tool records the orders it looked up there. Workflow-safe: declarations only.
 */
import { z } from 'zod';
import { defineAgent, defineTool } from '../shared/agent';

/** The context a support session starts with and its tools change. */
export const SupportContext = z.looseObject({
  customerId: z.string().optional(),
  customerName: z.string().optional(),
  tier: z.enum(['free', 'plus', 'enterprise']).optional(),
  ordersLookedUp: z.array(z.string()).optional(),
});
export type SupportContext = z.infer<typeof SupportContext>;

/** Looks up an order's status by its number. */
export const lookupOrder = defineTool({
  name: 'lookup_order',
  description: 'Look up the delivery status of an order by its order number.',
  parameters: z.object({ order_id: z.string().min(1).describe('The order number, e.g. 1234') }),
});

/** The support agent every demo session talks to. */
export const supportAgent = defineAgent<SupportContext>({
  name: 'support',
  instructions: (context) =>
    [
      'You are a friendly customer-support assistant for an online shop.',
      'Use lookup_order to answer questions about orders; never invent an order status.',
      context.tier === 'enterprise' ? 'This customer has an enterprise plan: offer the priority line.' : '',
    ]
      .filter(Boolean)
      .join(' '),
  tools: [lookupOrder],
});
