/** The tool the approval-minded tests share: it refunds an order only once a human approves, and records it in the context. */
import { z } from 'zod';
import { defineTool, type RunContext } from '../../src/agents';

/** A context with the orders refunded so far. */
export interface RefundContext extends Record<string, unknown> {
  refunded?: string[];
}

/** `refund({ order })`, which always waits for approval. */
export const refundTool = defineTool({
  name: 'refund',
  description: 'Refunds an order.',
  parameters: z.object({ order: z.string() }),
  needsApproval: true,
  execute: ({ order }, { context }: RunContext<RefundContext>) => {
    context.refunded = [...(context.refunded ?? []), order];
    return `Refunded ${order}.`;
  },
});
