/** The tool the approval-minded tests share: it refunds an order only once a human approves, and records it in the context. */
import { z } from 'zod';
import { defineTool, type ToolRunContext } from '../../src/agents';

/** A context with the orders refunded so far. */
export interface RefundContext extends Record<string, unknown> {
  refunded?: string[];
}

/** Refunds issued, by idempotency key: what a payment provider keeps (a retried call refunds once). */
export const refundsIssued = new Map<string, string>();

/** `refund({ order })`, which always waits for approval. */
export const refundTool = defineTool({
  name: 'refund',
  description: 'Refunds an order.',
  parameters: z.object({ order: z.string() }),
  needsApproval: true,
  execute: ({ order }, { context, idempotencyKey }: ToolRunContext<RefundContext>) => {
    // The payment provider's side: one refund per idempotency key, however often the call runs.
    if (!refundsIssued.has(idempotencyKey)) refundsIssued.set(idempotencyKey, order);
    context.refunded = [...(context.refunded ?? []), order];
    return `Refunded ${order}.`;
  },
});
