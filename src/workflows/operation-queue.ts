/**
 * The session's one queue: the operations waiting in arrival order, the one running, the turn held
 * while it waits for humans' decisions, the updates this run accepted, and how settled operations
 * ended (in full for callers waiting in this run, compactly for retries). `SessionState` owns one and
 * runs what it takes; what an operation does is the state's. Workflow-safe.
 */
import { condition } from '@temporalio/workflow';
import type { PendingApproval } from '../shared/approvals';
import { MAX_UPDATES_PER_RUN, QUEUED_SIGNAL_BYTES } from '../shared/limits';
import { utf8Length } from '../shared/schemas';
import type { Operation, PausedTurn, RememberedOutcome } from '../shared/session-snapshot';
import { operationFingerprint } from './fingerprint';
import { OutcomeMemory, type OperationOutcome } from './outcome-memory';

/** An operation taken to run next, with the paused turn it resumes (a message's). */
export interface NextOperation {
  operation: Operation;
  paused?: PausedTurn;
}

/** What a run carries of its queue across continue-as-new. */
export interface CarriedQueue {
  remembered?: RememberedOutcome[];
  queue?: Operation[];
  paused?: PausedTurn;
}

/** The queue of one session's operations and their outcomes. */
export class OperationQueue {
  private readonly pending: Operation[];
  private readonly outcomes: OutcomeMemory;
  /** Ids of queued operations whose callers wait for them (updates, as opposed to signals). */
  private readonly awaited = new Set<string>();
  private running: Operation | undefined;
  /** The turn waiting for humans' decisions on its tool calls; nothing else runs until it resumes. */
  private held: PausedTurn | undefined;
  /** Updates this run accepted (Temporal refuses a run's 2,001st). */
  private accepted = 0;

  constructor(carried: CarriedQueue = {}) {
    this.pending = carried.queue ?? [];
    this.outcomes = new OutcomeMemory(carried.remembered);
    this.held = carried.paused;
  }

  /** What the next run carries: the remembered outcomes, the operations still queued, the paused turn. */
  carried(): Required<Pick<CarriedQueue, 'remembered' | 'queue'>> & Pick<CarriedQueue, 'paused'> {
    return { remembered: this.outcomes.carried(), queue: [...this.pending], ...(this.held ? { paused: this.held } : {}) };
  }

  /** The operations waiting, oldest first. */
  get waiting(): readonly Operation[] {
    return this.pending;
  }

  /** The operation running, if any. */
  get current(): Operation | undefined {
    return this.running;
  }

  /** The turn waiting for decisions, if any. */
  get paused(): PausedTurn | undefined {
    return this.held;
  }

  /** Updates this run accepted. */
  get updatesThisRun(): number {
    return this.accepted;
  }

  /** Whether an operation with this id is queued, running, paused or already settled. */
  knows(id: string): boolean {
    return this.outcomes.has(id) || this.running?.id === id || this.held?.operationId === id || this.pending.some((queued) => queued.id === id);
  }

  /**
   * Whether this id names another operation than the one with this fingerprint: queued, running, paused
   * or remembered with other arguments. An outcome remembered without a fingerprint (before they were
   * kept) is taken as the same operation, as it always was.
   */
  reusedId(id: string, fingerprint: string): boolean {
    const known = this.knownFingerprint(id);
    return known !== undefined && known !== fingerprint;
  }

  /** The fingerprint of the operation this id names, if known (and kept). */
  private knownFingerprint(id: string): string | undefined {
    const remembered = this.outcomes.rememberedOutcome(id);
    if (remembered) return remembered.fingerprint;
    if (this.running?.id === id) return operationFingerprint(this.running);
    if (this.held?.operationId === id) return operationFingerprint({ kind: 'message', id, message: this.held.message });
    const queued = this.pending.find((operation) => operation.id === id);
    return queued ? operationFingerprint(queued) : undefined;
  }

  /** Takes an update's operation: counts it against the run's updates, queues it unless its id is known, and waits until it has an outcome. */
  async accept(operation: Operation): Promise<void> {
    this.accepted += 1;
    if (!this.knows(operation.id)) {
      this.pending.push(operation);
      this.awaited.add(operation.id);
    }
    await condition(() => this.outcomes.has(operation.id));
  }

  /**
   * Queues a signalled message (nobody waits for it) unless its id is known; returns why it was dropped
   * instead: its id names another operation, or the queue's signals would pass their byte budget (they
   * are carried across a rollover).
   */
  enqueueSignal(operation: Operation): string | undefined {
    if (this.reusedId(operation.id, operationFingerprint(operation))) return 'its id names another operation of this session; use a new id';
    if (this.knows(operation.id)) return undefined;
    const signalled = this.pending.filter((queued) => !this.awaited.has(queued.id));
    const bytes = [...signalled, operation].reduce((sum, queued) => sum + utf8Length(JSON.stringify(queued)), 0);
    if (bytes > QUEUED_SIGNAL_BYTES) return 'the queue of signalled messages is full; send with an update to wait instead';
    this.pending.push(operation);
    return undefined;
  }

  /** Whether something is due: a resumable turn, or a queued operation (none while a turn waits). */
  due(): boolean {
    return this.resumable() || (!this.held && this.pending.length > 0);
  }

  /** Whether this run should stop taking updates and continue as new. */
  shouldRollOver(continueAsNewSuggested: boolean): boolean {
    return continueAsNewSuggested || this.accepted >= MAX_UPDATES_PER_RUN;
  }

  /**
   * Answers the callers that wait for queued operations (updates) and for the paused turn with
   * `outcome`, taking those operations out of the queue; nothing is remembered of them, so a retry runs
   * them. Signalled operations stay.
   */
  answerWaiting(outcome: OperationOutcome): void {
    for (const operation of this.pending.filter((queued) => this.awaited.has(queued.id))) {
      this.pending.splice(this.pending.indexOf(operation), 1);
      this.awaited.delete(operation.id);
      this.outcomes.answer(operation.id, outcome);
    }
    if (this.held) this.outcomes.answer(this.held.operationId, outcome);
  }

  /**
   * Takes the next operation to run (and marks it running): the paused turn once every decision is in,
   * else the queue's oldest unless a turn waits.
   */
  takeNext(): NextOperation | undefined {
    const paused = this.resumable() ? this.held : undefined;
    const operation = paused ? { kind: 'message' as const, id: paused.operationId, message: paused.message } : this.held ? undefined : this.pending.shift();
    if (!operation) return undefined;
    this.held = undefined;
    this.running = operation;
    return { operation, paused };
  }

  /** The running operation has ended (settled, or paused). */
  finish(): void {
    this.running = undefined;
  }

  /** Holds a turn that waits for humans' decisions; nothing else is taken until it resumes. */
  hold(turn: PausedTurn): void {
    this.held = turn;
  }

  /** Lets go of the paused turn (the session ended under it) and returns it. */
  release(): PausedTurn | undefined {
    const paused = this.held;
    this.held = undefined;
    return paused;
  }

  /** The tool calls of the paused turn that still wait for a decision. */
  pendingApprovals(): PendingApproval[] {
    const paused = this.held;
    return paused ? paused.pending.filter((pending) => !paused.decisions[pending.callId]) : [];
  }

  /** Whether the paused turn has every decision it waits for. */
  resumable(): boolean {
    return this.held !== undefined && this.pendingApprovals().length === 0;
  }

  /** Records how an operation ended: in full for waiting callers, compactly (with its fingerprint) for later retries. */
  settle(id: string, outcome: OperationOutcome, compact: RememberedOutcome, fingerprint?: string): void {
    this.awaited.delete(id);
    this.outcomes.settle(id, outcome, compact, fingerprint);
  }

  /** The full outcome of an operation settled in this run, if still kept. */
  fullResult(id: string): OperationOutcome | undefined {
    return this.outcomes.fullResult(id);
  }

  /** The compact outcome of an operation settled in this run or an earlier one. */
  rememberedOutcome(id: string): RememberedOutcome | undefined {
    return this.outcomes.rememberedOutcome(id);
  }
}
