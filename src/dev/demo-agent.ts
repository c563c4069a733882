/**
 * The demo agent the dev stack and a bare `agent-sessions worker` serve: a customer-support assistant
 * that looks up orders. Its context says who the customer is; its tool records the orders it looked up.
 */
import { z } from 'zod';
import { defineAgent, defineTool, type RunContext } from '../agents';

/** The context a support session starts with and its tool changes. */
export const SupportContext = z.looseObject({
  customerId: z.string().optional(),
  customerName: z.string().optional(),
  tier: z.enum(['free', 'plus', 'enterprise']).optional(),
  ordersLookedUp: z.array(z.string()).optional(),
});
export type SupportContext = z.infer<typeof SupportContext>;

/** The demo's orders and their delivery status (the demo has no shop behind it). */
const DEMO_ORDERS: Record<string, string> = {
  '1234': 'shipped on Monday, arriving Thursday',
  '5678': 'delivered yesterday to the front desk',
  '9012': 'waiting for stock; it ships within 5 days',
};

/** Looks up an order's status and adds its number to the context's `ordersLookedUp`. */
export const lookupOrder = defineTool({
  name: 'lookup_order',
  description: 'Look up the delivery status of an order by its order number.',
  parameters: z.object({ order_id: z.string().min(1).describe('The order number, e.g. 1234') }),
  execute: ({ order_id }, { context }: RunContext<SupportContext>) => {
    const seen = context.ordersLookedUp ?? [];
    if (!seen.includes(order_id)) context.ordersLookedUp = [...seen, order_id];
    const status = DEMO_ORDERS[order_id];
    return status ? `Order ${order_id}: ${status}.` : `There is no order ${order_id}.`;
  },
});

/** The support agent every demo session talks to. */
export const supportAgent = defineAgent<SupportContext>({
  name: 'support',
  instructions: ({ context }) =>
    [
      'You are a friendly customer-support assistant for an online shop.',
      'Use lookup_order to answer questions about orders; never invent an order status.',
      context.tier === 'enterprise' ? 'This customer has an enterprise plan: offer the priority line.' : '',
    ]
      .filter(Boolean)
      .join(' '),
  tools: [lookupOrder],
});
