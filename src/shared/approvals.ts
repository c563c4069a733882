/**
 * Human approval of tool calls: a call the tool marks as needing approval pauses its turn until a
 * human approves or rejects it; these are the shapes of what waits and of a decision. Workflow-safe.
 */
import { z } from 'zod';
import { OperationId, StorableText } from './schemas';

/** A tool call that waits for a human's decision. */
export const PendingApproval = z.object({
  callId: z.string(),
  tool: z.string(),
  /** The arguments the model gave, as JSON text. */
  arguments: z.string(),
  /** The agent that made the call. */
  agent: z.string(),
  /** The message whose turn waits. */
  messageId: z.string(),
  /** When the turn paused, ISO 8601. */
  requestedAt: z.string(),
});
export type PendingApproval = z.infer<typeof PendingApproval>;

/** Arguments of `decideApproval`: which call, approved or rejected, an optional reason the model reads, an optional id. */
export const ApprovalDecisionArgs = z
  .object({
    callId: z.string().min(1, 'give the call id of a pending approval'),
    approved: z.boolean(),
    reason: StorableText.max(2_000, 'a reason must be at most 2,000 characters').optional(),
    id: OperationId.optional(),
  })
  .strict();
export type ApprovalDecisionArgs = z.infer<typeof ApprovalDecisionArgs>;

/** What a decision answers: the call, the decision, and how many calls of the turn still wait. */
export const ApprovalDecisionResult = z.object({ callId: z.string(), approved: z.boolean(), stillPending: z.number().int().nonnegative() });
export type ApprovalDecisionResult = z.infer<typeof ApprovalDecisionResult>;

/** The output a rejected call gives the model in place of the tool's. */
export function rejectionOutput(reason: string | undefined): string {
  return `Error: a human rejected this tool call${reason ? `: ${reason}` : ''}. Do not retry it unless the user asks again.`;
}
