/**
 * A shopping cart kept in the session's context across turns and days: the tools change it, the
 * instructions show it to the model, and it survives worker restarts and continue-as-new.
 * Run: npx agent-sessions dev --agents examples/shopping-cart/agents.ts
 */
import { z } from 'zod';
import { defineAgent, defineTool, type RunContext } from 'agent-sessions/worker';

/** The cart: product names and quantities. */
export interface Cart extends Record<string, unknown> {
  lines?: Record<string, number>;
}

const PRICES: Record<string, number> = { apples: 0.5, bread: 2.2, coffee: 7.9, milk: 1.1 };

const addToCart = defineTool({
  name: 'add_to_cart',
  description: 'Adds a quantity of a product to the cart.',
  parameters: z.object({ product: z.string(), quantity: z.number().int().positive().default(1) }),
  execute: ({ product, quantity }, { context }: RunContext<Cart>) => {
    const name = product.toLowerCase();
    if (!(name in PRICES)) return `We do not sell ${product}. We sell ${Object.keys(PRICES).join(', ')}.`;
    context.lines = { ...context.lines, [name]: (context.lines?.[name] ?? 0) + quantity };
    return `Added ${quantity} ${name}.`;
  },
});

const removeFromCart = defineTool({
  name: 'remove_from_cart',
  description: 'Removes a product from the cart.',
  parameters: z.object({ product: z.string() }),
  execute: ({ product }, { context }: RunContext<Cart>) => {
    const { [product.toLowerCase()]: removed, ...rest } = context.lines ?? {};
    context.lines = rest;
    return removed ? `Removed ${product}.` : `${product} was not in the cart.`;
  },
});

/** The cart's lines and total, as text. */
export function describeCart(cart: Cart): string {
  const lines = Object.entries(cart.lines ?? {});
  if (lines.length === 0) return 'The cart is empty.';
  const total = lines.reduce((sum, [name, quantity]) => sum + (PRICES[name] ?? 0) * quantity, 0);
  return `${lines.map(([name, quantity]) => `${quantity} × ${name}`).join(', ')}; total ${total.toFixed(2)} EUR.`;
}

export const shop = defineAgent<Cart>({
  name: 'shop',
  instructions: ({ context }) => `You run a small grocery. ${describeCart(context)} Use the tools to change the cart.`,
  tools: [addToCart, removeFromCart],
});

export const agents = [shop];
