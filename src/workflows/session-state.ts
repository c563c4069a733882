/**
 * The state of one conversation inside its workflow: the one queue of operations, the outcomes of
 * recent ones (to answer retries), the model's window as metadata, a small tail of items for the
 * `getItems` query, and the counters. What is carried across continue-as-new is bounded in bytes
 * whatever the session's age (see limits.ts); Postgres keeps every item. Only the workflow mutates it,
 * one operation at a time.
 */
import { FailureType } from '../shared/failures';
import {
  MAX_CONTEXT_BYTES,
  MAX_REMEMBERED_MESSAGE_LENGTH,
  MAX_REMEMBERED_VALUE_BYTES,
  MAX_UPDATES_PER_RUN,
  QUERY_TAIL_BYTES,
  QUERY_TAIL_ITEMS,
  QUEUED_SIGNAL_BYTES,
  REMEMBERED_MESSAGE_IDS,
  REMEMBERED_OUTCOME_BYTES,
} from '../shared/limits';
import type { ImportSessionResult, SessionSummary } from '../shared/activity-io';
import type { ApprovalDecisionArgs, ApprovalDecisionResult, PendingApproval } from '../shared/approvals';
import type { Operation, PausedTurn, RememberedOutcome, SessionSnapshot } from '../shared/session-snapshot';
import { MAX_LABELS, SessionSettings, utf8Length, type JsonObject, type Labels, type SessionItem, type SettingsChange, type Usage } from '../shared/schemas';
import { addUsage, emptyUsage } from '../shared/usage';
import { BoundedMap } from './bounded-map';
import { decisionFingerprint, operationFingerprint } from './fingerprint';
import { ModelView } from './model-view';

/** How an operation ended in this run: its full value, or the failure the caller sees. */
export type OperationOutcome = { ok: true; value: unknown } | { ok: false; type: string; message: string };

/** Full results kept in memory for the callers waiting in this run (the rest are remembered compactly). */
const FULL_RESULTS_KEPT = 32;

/** One conversation's state. */
export class SessionState {
  readonly queue: Operation[];
  readonly view: ModelView;
  running: Operation | undefined;
  /** Updates this run accepted (Temporal refuses a run's 2,001st). */
  updatesThisRun = 0;
  /** Set once the run has decided to continue as new: new updates are refused (the client retries them). */
  rollingOver = false;
  /** Set when the session has ended; every later operation fails. */
  ended: 'deleted' | 'expired' | undefined;
  /** The latest items by seq, for the `getItems` query. */
  private readonly tail = new BoundedMap<number, SessionItem>(QUERY_TAIL_ITEMS, QUERY_TAIL_BYTES);
  /** Compact outcomes of recent operations by id, to answer retries (carried across runs). */
  private readonly remembered = new BoundedMap<string, RememberedOutcome>(REMEMBERED_MESSAGE_IDS, REMEMBERED_OUTCOME_BYTES);
  private readonly fullResults = new Map<string, OperationOutcome>();
  /** Ids of queued operations whose callers wait for them (updates, as opposed to signals). */
  private readonly awaited = new Set<string>();
  /** The user the session belongs to: memories are theirs. Set when the session starts. */
  userId: string | undefined;
  /** The session's labels. */
  labels: Labels = {};
  /** The turn waiting for humans' decisions on its tool calls; nothing else runs until it resumes. */
  paused: PausedTurn | undefined;

  private constructor(
    readonly sessionId: string,
    public context: JsonObject,
    public agent: string,
    public settings: SessionSettings,
    public lastSeq: number,
    public itemCount: number,
    public turns: number,
    public usage: Usage,
    readonly run: number,
    snapshot?: SessionSnapshot,
  ) {
    this.view = new ModelView(snapshot?.view ?? []);
    for (const entry of snapshot?.tail ?? []) this.tail.set(entry.seq, entry);
    this.queue = snapshot?.queue ?? [];
    for (const outcome of snapshot?.remembered ?? []) this.remembered.set(outcome.id, outcome);
  }

  /** A new session, maybe a user's, maybe labelled. */
  static start(
    sessionId: string,
    context: JsonObject,
    agent: string,
    settings: SessionSettings,
    owner: { userId?: string; labels?: Labels } = {},
  ): SessionState {
    const state = new SessionState(sessionId, context, agent, settings, 0, 0, 0, emptyUsage(), 1);
    state.userId = owner.userId;
    state.labels = owner.labels ?? {};
    return state;
  }

  /** The next run of a session, from what the previous run carried. */
  static resume(sessionId: string, snapshot: SessionSnapshot): SessionState {
    const { context, agent, settings, lastSeq, itemCount, turns, usage, run } = snapshot;
    const state = new SessionState(sessionId, context, agent, settings, lastSeq, itemCount, turns, usage, run + 1, snapshot);
    state.userId = snapshot.userId;
    state.labels = snapshot.labels ?? {};
    state.paused = snapshot.paused;
    return state;
  }

  /** The session row the projection keeps after a write that leaves `itemCount` items, the last at `lastSeq`. */
  summary(change: { agent?: string; itemCount?: number; lastSeq?: number; labels?: Labels } = {}): SessionSummary {
    return {
      agent: change.agent ?? this.agent,
      itemCount: change.itemCount ?? this.itemCount,
      lastSeq: change.lastSeq ?? this.lastSeq,
      ...(this.userId ? { userId: this.userId } : {}),
      labels: change.labels ?? this.labels,
    };
  }

  /** Sets labels (a null value removes one); refuses when the session would pass MAX_LABELS. */
  labelled(patch: Record<string, string | null>): { labels: Labels } | { refused: string } {
    const labels: Labels = { ...this.labels };
    for (const [key, value] of Object.entries(patch)) {
      if (value === null) delete labels[key];
      else labels[key] = value;
    }
    const count = Object.keys(labels).length;
    if (count > MAX_LABELS) return { refused: `the session would have ${count} labels; it may have at most ${MAX_LABELS}` };
    return { labels };
  }

  /** What this run hands the next one. */
  snapshot(): SessionSnapshot {
    return {
      context: this.context,
      agent: this.agent,
      settings: this.settings,
      lastSeq: this.lastSeq,
      itemCount: this.itemCount,
      turns: this.turns,
      usage: this.usage,
      ...(this.userId ? { userId: this.userId } : {}),
      ...(Object.keys(this.labels).length > 0 ? { labels: this.labels } : {}),
      run: this.run,
      view: this.view.toJSON(),
      tail: this.tail.values(),
      remembered: this.remembered.values(),
      queue: [...this.queue],
      ...(this.paused ? { paused: this.paused } : {}),
    };
  }

  /** Whether an operation with this id is queued, running or already settled. */
  knows(id: string): boolean {
    return (
      this.remembered.has(id) ||
      this.fullResults.has(id) ||
      this.running?.id === id ||
      this.paused?.operationId === id ||
      this.queue.some((queued) => queued.id === id)
    );
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
    const remembered = this.remembered.get(id);
    if (remembered) return remembered.fingerprint;
    if (this.running?.id === id) return operationFingerprint(this.running);
    if (this.paused?.operationId === id) return operationFingerprint({ kind: 'message', id, message: this.paused.message });
    const queued = this.queue.find((operation) => operation.id === id);
    return queued ? operationFingerprint(queued) : undefined;
  }

  /** Queues an operation (an update's: its caller waits) unless its id is known; says whether it was queued. */
  enqueue(operation: Operation): boolean {
    if (this.knows(operation.id)) return false;
    this.queue.push(operation);
    this.awaited.add(operation.id);
    return true;
  }

  /**
   * Queues a signalled operation unless its id is known or the queue's signals would pass their byte
   * budget (they are carried across a rollover); says whether it was queued.
   */
  enqueueSignal(operation: Operation): boolean {
    if (this.knows(operation.id)) return false;
    const signalled = this.queue.filter((queued) => !this.awaited.has(queued.id));
    const bytes = [...signalled, operation].reduce((sum, queued) => sum + utf8Length(JSON.stringify(queued)), 0);
    if (bytes > QUEUED_SIGNAL_BYTES) return false;
    this.queue.push(operation);
    return true;
  }

  /**
   * Before a rollover: takes the queued operations whose callers wait (updates) out of the queue and
   * answers them with SessionRollingOver, which the client retries with the same id on the next run.
   * Nothing is remembered of them, so the retry runs them there. Signalled operations stay, carried.
   */
  returnAwaitedForRetry(): void {
    for (const operation of this.queue.filter((queued) => this.awaited.has(queued.id))) {
      this.queue.splice(this.queue.indexOf(operation), 1);
      this.awaited.delete(operation.id);
      this.fullResults.set(operation.id, { ok: false, ...(this.unavailable() as { type: string; message: string }) });
    }
    if (this.paused) this.fullResults.set(this.paused.operationId, { ok: false, ...(this.unavailable() as { type: string; message: string }) });
  }

  /** The tool calls of the paused turn that still wait for a decision. */
  pendingApprovals(): PendingApproval[] {
    const paused = this.paused;
    return paused ? paused.pending.filter((pending) => !paused.decisions[pending.callId]) : [];
  }

  /** Whether the paused turn has every decision it waits for. */
  resumable(): boolean {
    return this.paused !== undefined && this.pendingApprovals().length === 0;
  }

  /** Why a decision cannot be taken now (no such call waits, or it was decided the other way), or undefined. */
  decisionRefusal(decision: ApprovalDecisionArgs): string | undefined {
    if (decision.id !== undefined && this.rememberedOutcome(decision.id)) return undefined;
    const waiting = this.paused?.pending.find((pending) => pending.callId === decision.callId);
    if (!waiting) {
      const pending = this.pendingApprovals().map((entry) => `${entry.callId} (${entry.tool})`);
      return `no tool call "${decision.callId}" waits for approval in session "${this.sessionId}"; ${pending.length > 0 ? `waiting: ${pending.join(', ')}` : 'nothing waits'}`;
    }
    const earlier = this.paused?.decisions[decision.callId];
    if (earlier && earlier.approved !== decision.approved) {
      return `the tool call "${decision.callId}" was already ${earlier.approved ? 'approved' : 'rejected'}; a decision cannot be changed`;
    }
    return undefined;
  }

  /**
   * Whether a decision may have come before its call paused: a turn is running and not paused yet (the
   * model's reply, which a streamed `approval` event shows first, may not have reached the workflow).
   */
  decisionMayBeEarly(): boolean {
    return this.running?.kind === 'message' && this.paused === undefined;
  }

  /** Records a decision on a paused call (checked by `decisionRefusal`); a retried decision gets its first answer. */
  decide(id: string, decision: ApprovalDecisionArgs): ApprovalDecisionResult {
    const remembered = this.rememberedOutcome(id);
    if (remembered?.form === 'value') return remembered.value as ApprovalDecisionResult;
    const paused = this.paused as PausedTurn;
    paused.decisions[decision.callId] ??= { approved: decision.approved, ...(decision.reason !== undefined ? { reason: decision.reason } : {}) };
    const result = { callId: decision.callId, approved: decision.approved, stillPending: this.pendingApprovals().length };
    this.settle(id, { ok: true, value: result }, { form: 'value', id, value: result }, decisionFingerprint(decision));
    return result;
  }

  /** Ends the paused turn with the session (it expired): its caller gets the reason; nothing of it is kept. */
  abandonPaused(): void {
    const paused = this.paused;
    if (!paused) return;
    this.paused = undefined;
    const failure = this.unavailable() as { type: string; message: string };
    const fingerprint = operationFingerprint({ kind: 'message', id: paused.operationId, message: paused.message });
    this.settle(paused.operationId, { ok: false, ...failure }, { form: 'failure', id: paused.operationId, ...failure }, fingerprint);
  }

  /** Why the session takes no operation now (ended, or rolling over), or undefined when it does. */
  unavailable(): { type: string; message: string } | undefined {
    if (this.ended) {
      const type = this.ended === 'deleted' ? FailureType.SessionDeleted : FailureType.SessionExpired;
      return { type, message: `the session "${this.sessionId}" was ${this.ended}; use a new session id` };
    }
    if (this.rollingOver) return { type: FailureType.SessionRollingOver, message: 'the session is continuing as new; retry with the same id' };
    return undefined;
  }

  /** Whether this run should stop taking updates and continue as new. */
  shouldRollOver(continueAsNewSuggested: boolean): boolean {
    return continueAsNewSuggested || this.updatesThisRun >= MAX_UPDATES_PER_RUN;
  }

  /** Records how an operation ended: in full for waiting callers, compactly (with its fingerprint) for later retries. */
  settle(id: string, outcome: OperationOutcome, compact: RememberedOutcome, fingerprint?: string): void {
    this.awaited.delete(id);
    this.fullResults.set(id, outcome);
    while (this.fullResults.size > FULL_RESULTS_KEPT) this.fullResults.delete(this.fullResults.keys().next().value as string);
    const bounded = boundedOutcome(compact);
    this.remembered.set(id, fingerprint === undefined ? bounded : { ...bounded, fingerprint });
  }

  /** Whether the operation has ended. */
  isSettled(id: string): boolean {
    return this.fullResults.has(id) || this.remembered.has(id);
  }

  /** The full outcome of an operation settled in this run, if still kept. */
  fullResult(id: string): OperationOutcome | undefined {
    return this.fullResults.get(id);
  }

  /** The compact outcome of an operation settled in this run or an earlier one. */
  rememberedOutcome(id: string): RememberedOutcome | undefined {
    return this.remembered.get(id);
  }

  /** Commits items written to the projection: counters, window, tail, and (for a turn) context, agent, usage. */
  commitItems(items: SessionItem[], change: { context?: JsonObject; agent?: string; usage?: Usage; turn?: boolean } = {}): void {
    if (items.length > 0) this.lastSeq = items[items.length - 1].seq;
    this.itemCount += items.length;
    this.view.append(items, this.settings.window);
    this.appendToTail(items);
    if (change.context) this.context = change.context;
    if (change.agent) this.agent = change.agent;
    if (change.usage) this.usage = addUsage(this.usage, change.usage);
    if (change.turn) this.turns += 1;
  }

  /** Takes on an imported session's items and counters (it had none before). */
  restore(imported: ImportSessionResult & { lastSeq: number; turns: number; usage: Usage }): void {
    this.lastSeq = imported.lastSeq;
    this.itemCount = imported.itemCount;
    this.turns = imported.turns;
    this.usage = imported.usage;
    this.view.reset(imported.view, this.settings.window);
    this.appendToTail(imported.tail);
  }

  /** Commits a compaction: the summary item is appended and stands first in the model's window. */
  commitSummary(summary: SessionItem, keep: Parameters<ModelView['replaceWithSummary']>[1], usage: Usage): void {
    this.lastSeq = summary.seq;
    this.itemCount += 1;
    this.view.replaceWithSummary(summary, keep);
    this.appendToTail([summary]);
    this.usage = addUsage(this.usage, usage);
  }

  /** Forgets removed items (they are gone from the projection). */
  removeItems(seqs: number[]): void {
    this.itemCount -= seqs.length;
    this.view.remove(seqs);
    for (const seq of seqs) this.tail.delete(seq);
  }

  /** Forgets every item; the seq counter goes on (seq numbers are never reused). */
  clearItems(): void {
    this.itemCount = 0;
    this.view.clear();
    this.tail.clear();
  }

  /** The context with a patch merged in, or the reason it is refused. */
  mergedContext(patch: JsonObject): { context: JsonObject } | { refused: string } {
    const context = { ...this.context, ...patch };
    const bytes = utf8Length(JSON.stringify(context));
    if (bytes > MAX_CONTEXT_BYTES) {
      return { refused: `the context would be ${bytes} bytes as JSON; it must stay within ${MAX_CONTEXT_BYTES} bytes` };
    }
    return { context };
  }

  /** Changes the settings a change names (checked again as a whole) and trims the window to them. */
  changeSettings(patch: SettingsChange): SessionSettings {
    this.settings = SessionSettings.parse({ ...this.settings, ...patch });
    this.view.trim(this.settings.window);
    return this.settings;
  }

  /** The latest `limit` items of the in-memory tail (all of it when absent), chronological. */
  latestItems(limit?: number): SessionItem[] {
    const items = this.tail.values();
    return limit === undefined ? items : items.slice(-limit);
  }

  private appendToTail(items: SessionItem[]): void {
    for (const entry of items) this.tail.set(entry.seq, entry);
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
