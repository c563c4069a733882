/**
 * The fingerprint of an operation's arguments, remembered with its outcome so that a retry under the
 * same id can be told from a different operation reusing it (see src/shared/fingerprint.ts).
 */
import type { ApprovalDecisionArgs } from '../shared/approvals';
import type { Operation } from '../shared/session-snapshot';
import { canonicalJson, fnv1a64 } from '../shared/fingerprint';

export { canonicalJson, fnv1a64 };

/** The fingerprint of an operation: what it does, without its id (a message's id is its operation id). */
export function operationFingerprint(operation: Operation): string {
  const { id: _id, ...rest } = operation;
  if (rest.kind === 'message') {
    const { id: _messageId, ...message } = rest.message;
    return fnv1a64(canonicalJson({ ...rest, message }));
  }
  return fnv1a64(canonicalJson(rest));
}

/** The fingerprint of an approval decision: the call, the decision and its reason. */
export function decisionFingerprint(decision: ApprovalDecisionArgs): string {
  const { id: _id, ...rest } = decision;
  return fnv1a64(canonicalJson({ kind: 'decision', ...rest }));
}
