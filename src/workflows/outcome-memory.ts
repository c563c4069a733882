/**
 * How the session's operations ended: in full for the callers waiting in this run, and compactly
 * (bounded in count and bytes, carried across continue-as-new) to answer retries. Workflow-safe.
 */
import { MAX_REMEMBERED_MESSAGE_LENGTH, MAX_REMEMBERED_VALUE_BYTES, REMEMBERED_MESSAGE_IDS, REMEMBERED_OUTCOME_BYTES } from '../shared/limits';
import { utf8Length } from '../shared/schemas';
import type { RememberedOutcome } from '../shared/session-snapshot';
import { BoundedMap } from './bounded-map';

/** How an operation ended in this run: its full value, or the failure the caller sees. */
export type OperationOutcome = { ok: true; value: unknown } | { ok: false; type: string; message: string };

/** Full results kept in memory for the callers waiting in this run (the rest are remembered compactly). */
const FULL_RESULTS_KEPT = 32;

/** The outcomes of recent operations, full and compact. */
export class OutcomeMemory {
  /** Compact outcomes of recent operations by id, to answer retries (carried across runs). */
  private readonly remembered = new BoundedMap<string, RememberedOutcome>(REMEMBERED_MESSAGE_IDS, REMEMBERED_OUTCOME_BYTES);
  private readonly full = new Map<string, OperationOutcome>();

  constructor(carried: RememberedOutcome[] = []) {
    for (const outcome of carried) this.remembered.set(outcome.id, outcome);
  }

  /** Records how an operation ended: in full for waiting callers, compactly (with its fingerprint) for later retries. */
  settle(id: string, outcome: OperationOutcome, compact: RememberedOutcome, fingerprint?: string): void {
    this.full.set(id, outcome);
    while (this.full.size > FULL_RESULTS_KEPT) this.full.delete(this.full.keys().next().value as string);
    const bounded = boundedOutcome(compact);
    this.remembered.set(id, fingerprint === undefined ? bounded : { ...bounded, fingerprint });
  }

  /** Answers an operation's caller in this run only (nothing is remembered, so a retry runs it). */
  answer(id: string, outcome: OperationOutcome): void {
    this.full.set(id, outcome);
  }

  /** Whether the operation has ended (or its caller was answered). */
  has(id: string): boolean {
    return this.full.has(id) || this.remembered.has(id);
  }

  /** The full outcome of an operation settled in this run, if still kept. */
  fullResult(id: string): OperationOutcome | undefined {
    return this.full.get(id);
  }

  /** The compact outcome of an operation settled in this run or an earlier one. */
  rememberedOutcome(id: string): RememberedOutcome | undefined {
    return this.remembered.get(id);
  }

  /** The compact outcomes, oldest first, for carrying across continue-as-new. */
  carried(): RememberedOutcome[] {
    return this.remembered.values();
  }
}

/** A remembered outcome small enough to carry: large values become `forgotten`, long messages are cut. */
function boundedOutcome(outcome: RememberedOutcome): RememberedOutcome {
  if (outcome.form === 'value' && utf8Length(JSON.stringify(outcome.value ?? null)) > MAX_REMEMBERED_VALUE_BYTES) {
    return { form: 'forgotten', id: outcome.id };
  }
  if (outcome.form === 'failure' && outcome.message.length > MAX_REMEMBERED_MESSAGE_LENGTH) {
    return { ...outcome, message: `${outcome.message.slice(0, MAX_REMEMBERED_MESSAGE_LENGTH)}…` };
  }
  return outcome;
}
