/**
 * One conversation inside its workflow: its data (context, agent, settings, counters, usage, the
 * model's window as metadata, a small tail of items for `getItems`), the one queue of operations with
 * the outcomes of recent ones (to answer retries), which its `OperationQueue` keeps, and the operations
 * themselves, one method each. Every change to the session goes through a method here; the fields are private. What is carried across
 * continue-as-new is bounded in bytes whatever the session's age (see limits.ts); Postgres keeps every
 * item. Each operation writes the projection before it changes the state, so a failed one changes nothing.
 */
import { ApplicationFailure, ParentClosePolicy, condition, log, patched, startChild, uuid4 } from '@temporalio/workflow';
import { SUMMARY_PREFIX } from '../shared/compaction';
import { FailureType } from '../shared/failures';
import { MAX_QUEUED_WHILE_PAUSED, QUERY_TAIL_BYTES, QUERY_TAIL_ITEMS } from '../shared/limits';
import type { ProjectionInput, SessionSummary } from '../shared/activity-io';
import type { ImportArgs, ImportResult } from '../shared/export';
import { ApprovalDecisionArgs, type ApprovalDecisionResult, type PendingApproval } from '../shared/approvals';
import type { Operation, PausedTurn, RememberedOutcome, SessionSnapshot } from '../shared/session-snapshot';
import { withheldSecrets } from '../shared/secrets';
import {
  SessionSettings,
  type CompactionResult,
  type Item,
  type JsonObject,
  type Labels,
  type SessionItem,
  type SessionStatus,
  type SettingsChange,
  type Usage,
  type UserMessage,
} from '../shared/schemas';
import { addUsage, emptyUsage } from '../shared/usage';
import { importer, model, projection } from './activity-stubs';
import { callerFailure, PAUSED, resumeTurn, runTurn, type TurnSession } from './agent-loop';
import { BoundedMap } from './bounded-map';
import { decisionFingerprint, operationFingerprint } from './fingerprint';
import { ModelView, windowOf } from './model-view';
import { OperationQueue, type NextOperation } from './operation-queue';
import type { OperationOutcome } from './outcome-memory';
import { reapSession } from './reaper';
import { callBefore, compactionDue, itemsOutcome, mergedContext, relabelled, sameJson, turnOutcome, valueOutcome } from './session-rules';

/** Rebuilds a retried operation's answer from the items it added, read back from the projection. */
export type FromItems = (outcome: Extract<RememberedOutcome, { form: 'items' }>, items: SessionItem[]) => unknown;

/** The patch under which a deleted session's executions are deleted from Temporal once it has closed (sessions deleted before it keep theirs until Temporal's retention). */
const EXECUTIONS_DELETED = 'deleted-session-executions-reaped';

/** The patch under which a session accepts calls and outputs without their pair (in replaceSuffix). */
const ORPHANS_ALLOWED = 'orphan-calls-and-outputs-allowed';

/** The session's own data, carried across continue-as-new as is. */
interface Carried {
  context: JsonObject;
  agent: string;
  settings: SessionSettings;
  lastSeq: number;
  itemCount: number;
  turns: number;
  usage: Usage;
  /** The user the session belongs to: memories are theirs. Set when the session starts. */
  userId: string | undefined;
  labels: Labels;
}

/** One conversation's state and its operations. */
export class SessionState implements TurnSession {
  private readonly data: Carried;
  private readonly view: ModelView;
  /** The latest items by seq, for the `getItems` query. */
  private readonly tail = new BoundedMap<number, SessionItem>(QUERY_TAIL_ITEMS, QUERY_TAIL_BYTES);
  /** The queue: operations waiting, the one running, the paused turn, and how settled ones ended. */
  private readonly operations: OperationQueue;
  /** Set once the run has decided to continue as new: new updates are refused (the client retries them). */
  private closing = false;
  /** Set when the session has ended; every later operation fails. */
  private end: 'deleted' | 'expired' | undefined;

  private constructor(
    readonly sessionId: string,
    data: Carried,
    /** 1 for the first run, +1 at every continue-as-new. */
    readonly run: number,
    snapshot?: SessionSnapshot,
  ) {
    this.data = data;
    this.view = new ModelView(snapshot?.view ?? []);
    for (const entry of snapshot?.tail ?? []) this.tail.set(entry.seq, entry);
    this.operations = new OperationQueue(snapshot);
  }

  /** A new session, maybe a user's, maybe labelled. */
  static start(sessionId: string, context: JsonObject, agent: string, settings: SessionSettings, owner: { userId?: string; labels?: Labels } = {}): SessionState {
    const data = { context, agent, settings, lastSeq: 0, itemCount: 0, turns: 0, usage: emptyUsage(), userId: owner.userId, labels: owner.labels ?? {} };
    return new SessionState(sessionId, data, 1);
  }

  /** The next run of a session, from what the previous run carried. */
  static resume(sessionId: string, snapshot: SessionSnapshot): SessionState {
    const { context, agent, settings, lastSeq, itemCount, turns, usage, userId, labels, run } = snapshot;
    return new SessionState(sessionId, { context, agent, settings, lastSeq, itemCount, turns, usage, userId, labels: labels ?? {} }, run + 1, snapshot);
  }

  /** What this run hands the next one. */
  snapshot(): SessionSnapshot {
    const { context, agent, settings, lastSeq, itemCount, turns, usage, userId, labels } = this.data;
    return {
      context,
      agent,
      settings,
      lastSeq,
      itemCount,
      turns,
      usage,
      ...(userId ? { userId } : {}),
      ...(Object.keys(labels).length > 0 ? { labels } : {}),
      run: this.run,
      view: this.view.toJSON(),
      tail: this.tail.values(),
      ...this.operations.carried(),
    };
  }

  /** The session's context (secrets included: the workflow's own reads). */
  get context(): JsonObject {
    return this.data.context;
  }

  /** The active agent ('' until a session started without one learns its default). */
  get agent(): string {
    return this.data.agent;
  }

  /** The session's settings. */
  get settings(): SessionSettings {
    return this.data.settings;
  }

  /** The seq of the latest item ever added (seq numbers are never reused). */
  get lastSeq(): number {
    return this.data.lastSeq;
  }

  /** How many items the session has. */
  get itemCount(): number {
    return this.data.itemCount;
  }

  /** How many turns have committed. */
  get turns(): number {
    return this.data.turns;
  }

  /** The user the session belongs to, if any. */
  get userId(): string | undefined {
    return this.data.userId;
  }

  /** How the session ended, if it has. */
  get ended(): 'deleted' | 'expired' | undefined {
    return this.end;
  }

  /** The operations waiting in the queue, oldest first. */
  get queue(): readonly Operation[] {
    return this.operations.waiting;
  }

  /** Updates this run accepted. */
  get updatesThisRun(): number {
    return this.operations.updatesThisRun;
  }

  /** The model's window as the claim check the model activity reads back. */
  window(): ReturnType<ModelView['window']> {
    return this.view.window();
  }

  /** The session's status, as the `getStatus` query answers it. */
  status(history: { historyLength: number; historySizeBytes: number }): SessionStatus {
    const { agent, userId, labels, itemCount, lastSeq, turns, usage, settings } = this.data;
    return {
      sessionId: this.sessionId,
      agent,
      ...(userId ? { userId } : {}),
      labels,
      state: this.closing ? 'rolling-over' : this.operations.paused ? 'awaiting-approval' : this.operations.current ? 'running' : 'idle',
      pendingApprovals: this.pendingApprovals().length,
      itemCount,
      lastSeq,
      turns,
      queued: this.operations.waiting.length,
      usage,
      window: { items: this.view.size, estimatedTokens: this.view.estimatedTokens() },
      settings,
      run: this.run,
      updatesThisRun: this.operations.updatesThisRun,
      ...history,
    };
  }

  /**
   * Refuses queries once the session is deleted (its closed run, until Temporal deletes it, would answer
   * stale state); queries are not recorded, so this changes no history.
   */
  assertQueryable(): void {
    if (this.end === 'deleted') throw ApplicationFailure.nonRetryable(`the session "${this.sessionId}" was deleted; use a new session id`, FailureType.SessionDeleted);
  }

  /** The latest `limit` items of the in-memory tail (all of it when absent), chronological. */
  latestItems(limit?: number): SessionItem[] {
    const items = this.tail.values();
    return limit === undefined ? items : items.slice(-limit);
  }

  /** The seqs of the model's window, in the order the model sees them. */
  windowSeqs(): number[] {
    return this.view.seqs();
  }

  // ---- the queue ----

  /** Whether this id names another operation than the one with this fingerprint (see `OperationQueue.reusedId`). */
  reusedId(id: string, fingerprint: string): boolean {
    return this.operations.reusedId(id, fingerprint);
  }

  /**
   * The validator of an update's operation (nothing enters history when it throws): the session must
   * take operations, the id must not name another operation, and a session waiting for a decision takes
   * only MAX_QUEUED_WHILE_PAUSED operations behind it. `operation` is absent when it has no id yet.
   */
  checkAdmission(operation: Operation | undefined): void {
    const refusal = this.unavailable();
    if (refusal) throw ApplicationFailure.nonRetryable(refusal.message, refusal.type);
    if (operation !== undefined && this.reusedId(operation.id, operationFingerprint(operation))) throw reusedIdFailure(operation.id);
    const waiting = this.pendingApprovals();
    const queued = this.operations.waiting.length;
    if (waiting.length > 0 && queued >= MAX_QUEUED_WHILE_PAUSED && !(operation !== undefined && this.operations.knows(operation.id))) {
      throw ApplicationFailure.nonRetryable(
        `the session waits for a human's decision on ${waiting.map((entry) => `${entry.tool} (${entry.callId})`).join(', ')} and ${queued} operations ` +
          'already wait behind it; approve or reject first (see pending), or send later',
        FailureType.AwaitingApproval,
      );
    }
  }

  /**
   * An update's operation: counts it against the run's updates, queues it unless its id is known, and
   * answers when it has settled: in full in this run, else from what is remembered (a retried id; a
   * turn's items are read back from the projection and rebuilt by `fromItems`).
   */
  async submit(operation: Operation, fromItems?: FromItems): Promise<unknown> {
    if (this.reusedId(operation.id, operationFingerprint(operation))) throw reusedIdFailure(operation.id);
    await this.operations.accept(operation);
    const full = this.operations.fullResult(operation.id);
    if (full) {
      if (!full.ok) throw ApplicationFailure.nonRetryable(full.message, full.type);
      return full.value;
    }
    const remembered = this.operations.rememberedOutcome(operation.id);
    switch (remembered?.form) {
      case 'value':
        return remembered.value;
      case 'failure':
        throw ApplicationFailure.nonRetryable(remembered.message, remembered.type);
      case 'items': {
        const items = await projection.readItems({ sessionId: this.sessionId, fromSeq: remembered.fromSeq, throughSeq: remembered.throughSeq });
        if (items.length !== remembered.throughSeq - remembered.fromSeq + 1) throw forgotten(operation.id, 'some of its items were removed since');
        return fromItems ? fromItems(remembered, items) : items;
      }
      case 'forgotten':
        throw forgotten(operation.id, 'its outcome was too large to remember');
      default:
        throw ApplicationFailure.nonRetryable('the session is continuing as new; retry with the same id', FailureType.SessionRollingOver);
    }
  }

  /** Queues a signalled message (nobody waits for it) unless its id is known; returns why it was dropped instead. */
  enqueueSignal(operation: Operation): string | undefined {
    return this.operations.enqueueSignal(operation);
  }

  /** Whether the loop has something to do: a resumable turn, a queued operation (none while a turn waits), or a rollover. */
  due(continueAsNewSuggested: boolean): boolean {
    return this.operations.due() || this.shouldRollOver(continueAsNewSuggested);
  }

  /** Whether this run should stop taking updates and continue as new. */
  shouldRollOver(continueAsNewSuggested: boolean): boolean {
    return this.operations.shouldRollOver(continueAsNewSuggested);
  }

  /**
   * Starts the rollover: new updates are refused, and the queued operations whose callers wait (updates)
   * are taken out of the queue and answered with SessionRollingOver, which the client retries with the
   * same id on the next run. Nothing is remembered of them, so the retry runs them there. Signalled
   * operations stay, carried.
   */
  rollOver(): void {
    this.closing = true;
    this.operations.answerWaiting({ ok: false, ...(this.unavailable() as { type: string; message: string }) });
  }

  /** The session expired (idle past its time-to-live): its paused turn is abandoned and its row marked. */
  expire(): Promise<void> {
    this.end = 'expired';
    this.abandonPaused();
    return projection.endSession({ sessionId: this.sessionId, status: 'expired' });
  }

  /**
   * Takes the next operation to run (and marks it running): the paused turn once every decision is in,
   * else the queue's oldest unless a turn waits; run it with `execute`.
   */
  takeNext(): NextOperation | undefined {
    return this.operations.takeNext();
  }

  /** Why the session takes no operation now (ended, or rolling over), or undefined when it does. */
  unavailable(): { type: string; message: string } | undefined {
    if (this.end) {
      const type = this.end === 'deleted' ? FailureType.SessionDeleted : FailureType.SessionExpired;
      return { type, message: `the session "${this.sessionId}" was ${this.end}; use a new session id` };
    }
    if (this.closing) return { type: FailureType.SessionRollingOver, message: 'the session is continuing as new; retry with the same id' };
    return undefined;
  }

  // ---- outcomes ----

  /** Records how an operation ended: in full for waiting callers, compactly (with its fingerprint) for later retries. */
  settle(id: string, outcome: OperationOutcome, compact: RememberedOutcome, fingerprint?: string): void {
    this.operations.settle(id, outcome, compact, fingerprint);
  }

  /** The full outcome of an operation settled in this run, if still kept. */
  fullResult(id: string): OperationOutcome | undefined {
    return this.operations.fullResult(id);
  }

  /** The compact outcome of an operation settled in this run or an earlier one. */
  rememberedOutcome(id: string): RememberedOutcome | undefined {
    return this.operations.rememberedOutcome(id);
  }

  /**
   * Runs the operation `takeNext` took (or resumes the paused turn of a message) and settles it (its
   * outcome, full and compact); a turn that pauses for approvals is settled when it resumes and ends.
   * After a turn, a compaction runs when the session's threshold is passed.
   */
  async execute({ operation, paused }: NextOperation): Promise<void> {
    try {
      const fingerprint = operationFingerprint(operation);
      const refusal = this.end ? this.unavailable() : undefined;
      if (refusal) {
        this.settleFailure(operation.id, refusal, fingerprint);
        return;
      }
      try {
        const outcome = await this.perform(operation, paused);
        if (outcome === PAUSED) return;
        this.settle(operation.id, { ok: true, value: outcome.value }, outcome.compact, fingerprint);
      } catch (error) {
        const failure = callerFailure(error);
        if (!failure) throw error;
        if (operation.kind !== 'message') {
          // A failed turn has been logged by the turn itself, with its number, agent and duration.
          log.warn('operation failed; the session is unchanged', {
            sessionId: this.sessionId,
            operation: operation.kind,
            operationId: operation.id,
            failureType: failure.type,
            error: failure.message,
          });
        }
        this.settleFailure(operation.id, failure, fingerprint);
      }
      if (operation.kind === 'message' && this.needsCompaction()) await this.compactAfterTurn();
    } finally {
      this.operations.finish();
    }
  }

  private settleFailure(id: string, failure: { type: string; message: string }, fingerprint: string): void {
    this.settle(id, { ok: false, ...failure }, { form: 'failure', id, ...failure }, fingerprint);
  }

  /** Does what the operation says; its value for the caller and what is remembered of it. */
  private async perform(operation: Operation, paused: PausedTurn | undefined): Promise<{ value: unknown; compact: RememberedOutcome } | typeof PAUSED> {
    const { id } = operation;
    switch (operation.kind) {
      case 'message': {
        const result = await this.send(id, operation.message, paused);
        return result === PAUSED ? PAUSED : turnOutcome(id, result);
      }
      case 'add': {
        const added = await this.add(operation.items);
        return { value: added, compact: itemsOutcome(id, this.data.agent, added) };
      }
      case 'replaceSuffix': {
        const added = await this.replaceSuffix(operation.expectedSuffix, operation.replacement);
        return { value: added, compact: itemsOutcome(id, this.data.agent, added) };
      }
      case 'context':
        return valueOutcome(id, this.patchContext(operation.patch));
      case 'pop':
        return valueOutcome(id, await this.pop());
      case 'clear':
        await this.clear();
        return valueOutcome(id, null);
      case 'compact':
        return valueOutcome(id, await this.compact());
      case 'settings':
        return valueOutcome(id, this.changeSettings(operation.settings));
      case 'labels':
        return valueOutcome(id, await this.relabel(operation.labels));
      case 'import':
        return valueOutcome(id, await this.import(operation.args));
      case 'delete':
        await this.delete();
        return valueOutcome(id, null);
    }
  }

  // ---- the operations ----

  /** A message: runs its turn (or resumes it once decided); the turn commits through `commitTurn` or waits through `pause`. */
  send(id: string, message: UserMessage, paused?: PausedTurn): ReturnType<typeof runTurn> {
    return paused ? resumeTurn(this, paused) : runTurn(this, id, message);
  }

  /** The projection's write of a finished turn (made before `commitTurn`): its items, the session row after it, what it spent. */
  turnProjection(turn: number, draft: PausedTurn): ProjectionInput {
    const { items, agent, usage, operationId: messageId } = draft;
    return {
      sessionId: this.sessionId,
      items,
      session: this.summary({ agent, itemCount: this.data.itemCount + items.length, lastSeq: items[items.length - 1].seq }),
      spent: { kind: 'turn', turn, messageId, usage },
    };
  }

  /** Commits a finished turn, once projected, with its context (already checked): its items, context, agent and usage. */
  commitTurn(draft: PausedTurn, context: JsonObject): void {
    this.commitItems(draft.items, { context, agent: draft.agent, usage: draft.usage, turn: true });
  }

  /** Holds a turn that waits for humans' decisions on its tool calls; nothing else runs until it resumes. */
  pause(turn: PausedTurn): void {
    this.operations.hold(turn);
  }

  /** Patches the context (refused when it would grow too large); returns it with its secrets withheld. */
  patchContext(patch: JsonObject): JsonObject {
    const merged = mergedContext(this.data.context, patch);
    if ('refused' in merged) throw invalid(merged.refused);
    this.data.context = merged.context;
    return withheldSecrets(this.data.context);
  }

  /** Changes the settings a change names (checked again as a whole) and trims the window to them. */
  changeSettings(patch: SettingsChange): SessionSettings {
    this.data.settings = SessionSettings.parse({ ...this.data.settings, ...patch });
    this.view.trim(this.data.settings.window);
    return this.data.settings;
  }

  /** Changes the session's labels (a null value removes one), in the projection first; returns them all. */
  async relabel(patch: Record<string, string | null>): Promise<Labels> {
    const changed = relabelled(this.data.labels, patch);
    if ('refused' in changed) throw invalid(changed.refused);
    await projection.projectTurn({ sessionId: this.sessionId, items: [], session: this.summary({ labels: changed.labels }) });
    this.data.labels = changed.labels;
    return this.data.labels;
  }

  /** Appends items without a turn, as the active agent's, removing `replacing` in the same write. */
  async add(items: Item[], replacing: number[] = []): Promise<SessionItem[]> {
    const at = new Date().toISOString();
    const added = items.map((item, index) => ({ seq: this.data.lastSeq + index + 1, agent: this.data.agent, at, item }));
    await projection.projectTurn({
      sessionId: this.sessionId,
      items: added,
      ...(replacing.length > 0 ? { removeSeqs: replacing } : {}),
      session: this.summary({ itemCount: this.data.itemCount - replacing.length + added.length, lastSeq: added[added.length - 1].seq }),
    });
    this.forget(replacing);
    this.commitItems(added);
    return added;
  }

  /**
   * Replaces the latest items (compaction summaries aside) with others, in one write, if they are the
   * expected ones (compared as JSON); refuses, changing nothing, when they are not. Removing an output
   * whose call stays is allowed (as the Agents SDK's sessions allow it): a call without its output is
   * kept, and left out of what the model is sent. Sessions that ran before refused it, and still do on replay.
   */
  async replaceSuffix(expected: Item[], replacement: Item[]): Promise<SessionItem[]> {
    const latest = await projection.readItems({ sessionId: this.sessionId, latest: expected.length, withoutSummaries: true });
    const matches = latest.length === expected.length && latest.every((entry, index) => sameJson(entry.item, expected[index]));
    if (!matches) {
      throw invalid(`the session's latest ${expected.length} item(s) are not the expected suffix; nothing was replaced (read the session and retry)`);
    }
    const removedCalls = new Set(latest.flatMap((entry) => (entry.item.type === 'function_call' ? [entry.item.call_id] : [])));
    const orphaned = latest.find((entry) => entry.item.type === 'function_call_output' && !removedCalls.has(entry.item.call_id));
    if (orphaned && !patched(ORPHANS_ALLOWED)) {
      throw invalid(`replacing that suffix would leave a tool call without its output (#${orphaned.seq}); include the call in the suffix`);
    }
    return this.add(
      replacement,
      latest.map((entry) => entry.seq),
    );
  }

  /**
   * Removes the latest item and returns it. When it is a tool's output, its call goes too (in either
   * spelling), so no call is left without its output; the output is what is returned. An output whose
   * call is gone, and a call still waiting for its output, go alone.
   */
  async pop(): Promise<SessionItem | null> {
    const target = await projection.readPopTarget({ sessionId: this.sessionId });
    if (target.length === 0) return null;
    const popped = target[target.length - 1];
    const seqs = target.map((entry) => entry.seq);
    if (target.length === 1) {
      const call = callBefore(popped, this.view.toJSON(), this.latestItems());
      if (call !== undefined) seqs.unshift(call);
    }
    await this.remove(seqs);
    return popped;
  }

  /** Removes every item; the seq counter goes on (seq numbers are never reused). */
  clear(): Promise<void> {
    return this.remove();
  }

  /**
   * Replaces the older part of the model's window with a summary item (raw items stay in Postgres).
   * Runs between operations only, so no tool call is ever waiting; a failure changes nothing.
   */
  async compact(): Promise<CompactionResult> {
    const split = this.view.compactionSplit(this.data.settings.compaction?.keepTurns ?? 2);
    if (!split) return null;
    let summary;
    try {
      summary = await model.summarize({
        sessionId: this.sessionId,
        agent: this.data.agent,
        window: windowOf(split.summarize),
        model: this.data.settings.compaction?.model,
      });
    } catch (error) {
      const failure = callerFailure(error);
      if (!failure) throw error;
      throw ApplicationFailure.nonRetryable(`compaction failed, the session is unchanged: ${failure.message}`, FailureType.CompactionFailed);
    }
    const item: SessionItem = {
      seq: this.data.lastSeq + 1,
      agent: this.data.agent,
      at: new Date().toISOString(),
      item: { type: 'message', role: 'system', content: `${SUMMARY_PREFIX}${summary.text}` },
      summary: true,
    };
    await projection.projectTurn({
      sessionId: this.sessionId,
      items: [item],
      session: this.summary({ itemCount: this.data.itemCount + 1, lastSeq: item.seq }),
      spent: { kind: 'compaction', usage: summary.usage },
    });
    this.data.lastSeq = item.seq;
    this.data.itemCount += 1;
    this.view.replaceWithSummary(item, split.keep);
    this.appendToTail([item]);
    this.data.usage = addUsage(this.data.usage, summary.usage);
    return { summary: item, summarizedItems: split.summarize.length };
  }

  /** Fills a new, empty session with a staged document: its items, usage and counters; refuses a session that has had items. */
  async import(args: Omit<ImportArgs, 'id'>): Promise<ImportResult> {
    if (this.data.lastSeq !== 0 || this.data.turns !== 0) throw invalid(`the session "${this.sessionId}" already has items; import into a new session id`);
    const imported = await importer.importSession({
      sessionId: this.sessionId,
      importId: args.importId,
      lastSeq: args.lastSeq,
      agent: this.data.agent,
      ...(this.data.userId ? { userId: this.data.userId } : {}),
      labels: this.data.labels,
      window: args.window,
    });
    Object.assign(this.data, { lastSeq: args.lastSeq, itemCount: imported.itemCount, turns: args.turns, usage: args.usage });
    this.view.reset(imported.view, this.data.settings.window);
    this.appendToTail(imported.tail);
    return { itemCount: imported.itemCount, lastSeq: args.lastSeq };
  }

  /** Ends the session (its row first); once the run has closed, a reaper deletes its runs from Temporal. */
  async delete(): Promise<void> {
    await projection.endSession({ sessionId: this.sessionId, status: 'deleted' });
    this.end = 'deleted';
    if (patched(EXECUTIONS_DELETED)) {
      // Abandoned: it outlives this run, which cannot delete itself while it runs.
      await startChild(reapSession, { workflowId: `agent-sessions-reaper-${uuid4()}`, args: [{ sessionId: this.sessionId }], parentClosePolicy: ParentClosePolicy.ABANDON });
    }
  }

  // ---- approvals ----

  /** The tool calls of the paused turn that still wait for a decision. */
  pendingApprovals(): PendingApproval[] {
    return this.operations.pendingApprovals();
  }

  /** The validator of a decision: the session takes operations, the id names this decision, and its call waits (or may yet). */
  checkDecision(decision: ApprovalDecisionArgs): void {
    const refusal = this.unavailable();
    if (refusal) throw ApplicationFailure.nonRetryable(refusal.message, refusal.type);
    if (decision.id !== undefined && this.reusedId(decision.id, decisionFingerprint(decision))) throw reusedIdFailure(decision.id);
    const notPending = this.decisionRefusal(decision);
    if (notPending && !this.decisionMayBeEarly()) throw ApplicationFailure.nonRetryable(notPending, FailureType.ApprovalNotPending);
  }

  /**
   * Takes a decision (parsed from the update's input) on a paused call, under its id (or `fallbackId()`'s); a decision sent on a streamed
   * `approval` event may arrive before the reply that pauses the turn, and waits for it.
   */
  async decideApproval(raw: unknown, fallbackId: () => string): Promise<ApprovalDecisionResult> {
    const decision = ApprovalDecisionArgs.parse(raw);
    if (decision.id !== undefined && this.reusedId(decision.id, decisionFingerprint(decision))) throw reusedIdFailure(decision.id);
    if (this.decisionRefusal(decision) && this.decisionMayBeEarly()) await condition(() => !this.decisionMayBeEarly());
    const notPending = this.decisionRefusal(decision);
    if (notPending) throw ApplicationFailure.nonRetryable(notPending, FailureType.ApprovalNotPending);
    return this.decide(decision.id ?? fallbackId(), decision);
  }

  /** Why a decision cannot be taken now (no such call waits, or it was decided the other way), or undefined. */
  decisionRefusal(decision: ApprovalDecisionArgs): string | undefined {
    if (decision.id !== undefined && this.operations.rememberedOutcome(decision.id)) return undefined;
    const waiting = this.operations.paused?.pending.find((pending) => pending.callId === decision.callId);
    if (!waiting) {
      const pending = this.pendingApprovals().map((entry) => `${entry.callId} (${entry.tool})`);
      return `no tool call "${decision.callId}" waits for approval in session "${this.sessionId}"; ${pending.length > 0 ? `waiting: ${pending.join(', ')}` : 'nothing waits'}`;
    }
    const earlier = this.operations.paused?.decisions[decision.callId];
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
    return this.operations.current?.kind === 'message' && this.operations.paused === undefined;
  }

  /** Records a decision on a paused call (checked by `decisionRefusal`); a retried decision gets its first answer. */
  decide(id: string, decision: ApprovalDecisionArgs): ApprovalDecisionResult {
    const remembered = this.operations.rememberedOutcome(id);
    if (remembered?.form === 'value') return remembered.value as ApprovalDecisionResult;
    const paused = this.operations.paused as PausedTurn;
    paused.decisions[decision.callId] ??= { approved: decision.approved, ...(decision.reason !== undefined ? { reason: decision.reason } : {}) };
    const result = { callId: decision.callId, approved: decision.approved, stillPending: this.pendingApprovals().length };
    this.settle(id, { ok: true, value: result }, { form: 'value', id, value: result }, decisionFingerprint(decision));
    return result;
  }

  /** Ends the paused turn with the session (it expired): its caller gets the reason; nothing of it is kept. */
  private abandonPaused(): void {
    const paused = this.operations.release();
    if (!paused) return;
    const failure = this.unavailable() as { type: string; message: string };
    const fingerprint = operationFingerprint({ kind: 'message', id: paused.operationId, message: paused.message });
    this.settle(paused.operationId, { ok: false, ...failure }, { form: 'failure', id: paused.operationId, ...failure }, fingerprint);
  }

  // ---- the state's own bookkeeping ----

  /** The session row the projection keeps after a write that leaves `itemCount` items, the last at `lastSeq`. */
  private summary(change: { agent?: string; itemCount?: number; lastSeq?: number; labels?: Labels } = {}): SessionSummary {
    return {
      agent: change.agent ?? this.data.agent,
      itemCount: change.itemCount ?? this.data.itemCount,
      lastSeq: change.lastSeq ?? this.data.lastSeq,
      ...(this.data.userId ? { userId: this.data.userId } : {}),
      labels: change.labels ?? this.data.labels,
    };
  }

  /** Commits items written to the projection: counters, window, tail, and (for a turn) context, agent, usage. */
  private commitItems(items: SessionItem[], change: { context?: JsonObject; agent?: string; usage?: Usage; turn?: boolean } = {}): void {
    if (items.length > 0) this.data.lastSeq = items[items.length - 1].seq;
    this.data.itemCount += items.length;
    this.view.append(items, this.data.settings.window);
    this.appendToTail(items);
    if (change.context) this.data.context = change.context;
    if (change.agent) this.data.agent = change.agent;
    if (change.usage) this.data.usage = addUsage(this.data.usage, change.usage);
    if (change.turn) this.data.turns += 1;
  }

  /** Removes items from the projection, then from the state; every item when `seqs` is absent (clear). */
  private async remove(seqs?: number[]): Promise<void> {
    await projection.removeItems({
      sessionId: this.sessionId,
      ...(seqs ? { seqs } : {}),
      session: this.summary({ itemCount: seqs ? this.data.itemCount - seqs.length : 0 }),
    });
    if (seqs) {
      this.forget(seqs);
    } else {
      this.data.itemCount = 0;
      this.view.clear();
      this.tail.clear();
    }
  }

  /** Forgets removed items (they are gone from the projection). */
  private forget(seqs: number[]): void {
    this.data.itemCount -= seqs.length;
    this.view.remove(seqs);
    for (const seq of seqs) this.tail.delete(seq);
  }

  private appendToTail(items: SessionItem[]): void {
    for (const entry of items) this.tail.set(entry.seq, entry);
  }

  /** Whether the session's automatic compaction threshold is passed. */
  private needsCompaction(): boolean {
    if (this.end) return false;
    return compactionDue(this.data.settings.compaction, { items: this.view.size, estimatedTokens: this.view.estimatedTokens() });
  }

  /** Automatic compaction after a turn: a failure is logged and changes nothing; the next turn tries again. */
  private async compactAfterTurn(): Promise<void> {
    try {
      await this.compact();
    } catch (error) {
      const failure = callerFailure(error);
      if (!failure) throw error;
      log.warn('automatic compaction failed; the window stays as it is', { sessionId: this.sessionId, failureType: failure.type, error: failure.message });
    }
  }
}

/** The refusal of an input the operation cannot take (nothing changes). */
function invalid(message: string): ApplicationFailure {
  return ApplicationFailure.nonRetryable(message, FailureType.InvalidInput);
}

/** The failure for a retried operation whose outcome cannot be given again. */
function forgotten(id: string, why: string): ApplicationFailure {
  return ApplicationFailure.nonRetryable(`operation ${id} already ran, but ${why}; read the session instead`, FailureType.OutcomeForgotten);
}

/** The refusal of an operation id that names another operation (nothing changes). */
function reusedIdFailure(id: string): ApplicationFailure {
  return ApplicationFailure.nonRetryable(
    `the operation id "${id}" was already used for a different operation in this session; nothing was changed (use a new id for a new operation, the same id only to retry the same one)`,
    FailureType.OperationIdReused,
  );
}
