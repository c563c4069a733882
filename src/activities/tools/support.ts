/**
 * The demo support tools. `lookup_order` reads a small built-in order book (the demo has no shop
 * behind it) and records the order in the session's context.
 */
import { lookupOrder } from '../../agents/support';
import { SupportContext } from '../../agents/support';
import { implementTool } from './registry';

/** The demo's orders and their delivery status. */
const DEMO_ORDERS: Record<string, string> = {
  '1234': 'shipped on Monday, arriving Thursday',
  '5678': 'delivered yesterday to the front desk',
  '9012': 'waiting for stock; it ships within 5 days',
};

/** Looks up an order and adds its number to the context's `ordersLookedUp`. */
export const lookupOrderTool = implementTool(lookupOrder, ({ order_id }, { context }) => {
  const status = DEMO_ORDERS[order_id];
  const seen = SupportContext.parse(context).ordersLookedUp ?? [];
  return {
    output: status ? `Order ${order_id}: ${status}.` : `There is no order ${order_id}.`,
    contextPatch: { ordersLookedUp: seen.includes(order_id) ? seen : [...seen, order_id] },
  };
});

/** Every demo support tool. */
export const supportTools = [lookupOrderTool];
