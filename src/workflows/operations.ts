/**
 * Every operation of the session's one queue: a message (a turn), a context patch, added items, pop,
 * clear, compaction, settings and delete. Each writes the projection before it commits to the state,
 * so a caller that gets an answer reads its own write; a failed operation changes nothing.
 */
import { ApplicationFailure, log, ParentClosePolicy, patched, startChild, uuid4 } from '@temporalio/workflow';
import { SUMMARY_PREFIX } from '../shared/compaction';
import { FailureType } from '../shared/failures';
import type { Operation, PausedTurn, RememberedOutcome } from '../shared/session-snapshot';
import type { ImportArgs, ImportResult } from '../shared/export';
import { utf8Length, type CompactionResult, type Item, type Labels, type SessionItem } from '../shared/schemas';
import { MAX_REMEMBERED_VALUE_BYTES } from '../shared/limits';
import { withheldSecrets } from '../shared/secrets';
import { pairingOf } from '../shared/items';
import { windowOf } from './model-view';
import { operationFingerprint } from './fingerprint';
import { importer, model, projection } from './activity-stubs';
import { callerFailure, PAUSED, resumeTurn, runTurn } from './agent-loop';
import { emptyUsage } from '../shared/usage';
import type { OperationOutcome, SessionState } from './session-state';
import { reapSession } from './reaper';

/**
 * Runs one operation (or resumes the paused turn of a message) and settles it in the state (its
 * outcome, full and compact); a turn that pauses for approvals is settled when it resumes and ends.
 */
export async function runOperation(state: SessionState, operation: Operation, paused?: PausedTurn): Promise<void> {
  const fingerprint = operationFingerprint(operation);
  const refusal = state.ended ? state.unavailable() : undefined;
  if (refusal) {
    settleFailure(state, operation.id, refusal, fingerprint);
    return;
  }
  try {
    const outcome = await perform(state, operation, paused);
    if (outcome === PAUSED) return;
    state.settle(operation.id, { ok: true, value: outcome.value }, outcome.compact, fingerprint);
  } catch (error) {
    const failure = callerFailure(error);
    if (!failure) throw error;
    if (operation.kind !== 'message') {
      // A failed turn has been logged by the turn itself, with its number, agent and duration.
      log.warn('operation failed; the session is unchanged', {
        sessionId: state.sessionId,
        operation: operation.kind,
        operationId: operation.id,
        failureType: failure.type,
        error: failure.message,
      });
    }
    settleFailure(state, operation.id, failure, fingerprint);
  }
  if (operation.kind === 'message' && needsCompaction(state)) await compactAfterTurn(state);
}

function settleFailure(state: SessionState, id: string, failure: { type: string; message: string }, fingerprint: string): void {
  const outcome: OperationOutcome = { ok: false, ...failure };
  state.settle(id, outcome, { form: 'failure', id, ...failure }, fingerprint);
}

async function perform(
  state: SessionState,
  operation: Operation,
  paused: PausedTurn | undefined,
): Promise<{ value: unknown; compact: RememberedOutcome } | typeof PAUSED> {
  const { id } = operation;
  switch (operation.kind) {
    case 'message': {
      const result = paused ? await resumeTurn(state, paused) : await runTurn(state, id, operation.message);
      if (result === PAUSED) return PAUSED;
      const compact = itemsOutcome(id, result.agent, result.items, result.usage);
      const output = result.output !== undefined && utf8Length(JSON.stringify(result.output)) <= MAX_REMEMBERED_VALUE_BYTES ? { output: result.output } : {};
      return { value: result, compact: { ...compact, ...(result.finishReason ? { finishReason: result.finishReason } : {}), ...output } };
    }
    case 'add': {
      const added = await addItems(state, operation.items);
      return { value: added, compact: itemsOutcome(id, state.agent, added) };
    }
    case 'replaceSuffix': {
      const added = await replaceSuffix(state, operation.expectedSuffix, operation.replacement);
      return { value: added, compact: itemsOutcome(id, state.agent, added) };
    }
    case 'context': {
      const merged = state.mergedContext(operation.patch);
      if ('refused' in merged) throw ApplicationFailure.nonRetryable(merged.refused, FailureType.InvalidInput);
      state.context = merged.context;
      return valueOutcome(id, withheldSecrets(state.context));
    }
    case 'pop':
      return valueOutcome(id, await popItem(state));
    case 'clear':
      await removeCommitted(state);
      return valueOutcome(id, null);
    case 'compact':
      return valueOutcome(id, await compact(state));
    case 'settings':
      return valueOutcome(id, state.changeSettings(operation.settings));
    case 'labels':
      return valueOutcome(id, await relabel(state, operation.labels));
    case 'import':
      return valueOutcome(id, await importDocument(state, operation.args));
    case 'delete':
      await projection.endSession({ sessionId: state.sessionId, status: 'deleted' });
      state.ended = 'deleted';
      if (patched(EXECUTIONS_DELETED)) await startReaper(state.sessionId);
      return valueOutcome(id, null);
  }
}

/** The patch under which a deleted session's executions are deleted from Temporal once it has closed (sessions deleted before it keep theirs until Temporal's retention). */
const EXECUTIONS_DELETED = 'deleted-session-executions-reaped';

/**
 * Starts the workflow that deletes every run of this session from Temporal once this run has closed
 * (abandoned: it outlives this run, which cannot delete itself while it runs).
 */
async function startReaper(sessionId: string): Promise<void> {
  await startChild(reapSession, {
    workflowId: `agent-sessions-reaper-${uuid4()}`,
    args: [{ sessionId }],
    parentClosePolicy: ParentClosePolicy.ABANDON,
  });
}

function valueOutcome(id: string, value: unknown): { value: unknown; compact: RememberedOutcome } {
  return { value, compact: { form: 'value', id, value } };
}

function itemsOutcome(id: string, agent: string, items: SessionItem[], usage = emptyUsage()): RememberedOutcome {
  const fromSeq = items[0]?.seq ?? 1;
  return { form: 'items', id, agent, usage, fromSeq, throughSeq: items[items.length - 1]?.seq ?? 0 };
}

/** Changes the session's labels, in the projection first; returns them all. */
async function relabel(state: SessionState, patch: Record<string, string | null>): Promise<Labels> {
  const changed = state.labelled(patch);
  if ('refused' in changed) throw ApplicationFailure.nonRetryable(changed.refused, FailureType.InvalidInput);
  await projection.projectTurn({ sessionId: state.sessionId, items: [], session: state.summary({ labels: changed.labels }) });
  state.labels = changed.labels;
  return state.labels;
}

/** Fills a new, empty session with a staged document: its items, usage and counters; refuses a session that has had items. */
async function importDocument(state: SessionState, args: Omit<ImportArgs, 'id'>): Promise<ImportResult> {
  if (state.lastSeq !== 0 || state.turns !== 0) {
    throw ApplicationFailure.nonRetryable(`the session "${state.sessionId}" already has items; import into a new session id`, FailureType.InvalidInput);
  }
  const imported = await importer.importSession({
    sessionId: state.sessionId,
    importId: args.importId,
    lastSeq: args.lastSeq,
    agent: state.agent,
    ...(state.userId ? { userId: state.userId } : {}),
    labels: state.labels,
    window: args.window,
  });
  state.restore({ ...imported, lastSeq: args.lastSeq, turns: args.turns, usage: args.usage });
  return { itemCount: imported.itemCount, lastSeq: args.lastSeq };
}

/** Appends items without a turn, as the active agent's, removing `replacing` in the same write. */
async function addItems(state: SessionState, items: Item[], replacing: number[] = []): Promise<SessionItem[]> {
  const at = new Date().toISOString();
  const added = items.map((item, index) => ({ seq: state.lastSeq + index + 1, agent: state.agent, at, item }));
  await projection.projectTurn({
    sessionId: state.sessionId,
    items: added,
    ...(replacing.length > 0 ? { removeSeqs: replacing } : {}),
    session: state.summary({ itemCount: state.itemCount - replacing.length + added.length, lastSeq: added[added.length - 1].seq }),
  });
  state.removeItems(replacing);
  state.commitItems(added);
  return added;
}

/**
 * Replaces the latest items (compaction summaries aside) with others, in one write, if they are the
 * expected ones (compared as JSON); refuses, changing nothing, when they are not. Removing an output
 * whose call stays is allowed (as the Agents SDK's sessions allow it): a call without its output is
 * kept, and left out of what the model is sent. Sessions that ran before refused it, and still do on replay.
 */
async function replaceSuffix(state: SessionState, expected: Item[], replacement: Item[]): Promise<SessionItem[]> {
  const latest = await projection.readItems({ sessionId: state.sessionId, latest: expected.length, withoutSummaries: true });
  const matches = latest.length === expected.length && latest.every((entry, index) => sameJson(entry.item, expected[index]));
  if (!matches) {
    throw ApplicationFailure.nonRetryable(
      `the session's latest ${expected.length} item(s) are not the expected suffix; nothing was replaced (read the session and retry)`,
      FailureType.InvalidInput,
    );
  }
  const removedCalls = new Set(latest.flatMap((entry) => (entry.item.type === 'function_call' ? [entry.item.call_id] : [])));
  const orphaned = latest.find((entry) => entry.item.type === 'function_call_output' && !removedCalls.has(entry.item.call_id));
  if (orphaned && !patched(ORPHANS_ALLOWED)) {
    throw ApplicationFailure.nonRetryable(
      `replacing that suffix would leave a tool call without its output (#${orphaned.seq}); include the call in the suffix`,
      FailureType.InvalidInput,
    );
  }
  return addItems(state, replacement, latest.map((entry) => entry.seq));
}

/** Whether two JSON values are equal, whatever the order of their keys. */
function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null || Array.isArray(a) !== Array.isArray(b)) return false;
  const keysA = Object.keys(a).filter((key) => (a as Record<string, unknown>)[key] !== undefined);
  const keysB = Object.keys(b).filter((key) => (b as Record<string, unknown>)[key] !== undefined);
  return keysA.length === keysB.length && keysA.every((key) => sameJson((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key]));
}

/** The patch under which a session accepts calls and outputs without their pair (in replaceSuffix). */
const ORPHANS_ALLOWED = 'orphan-calls-and-outputs-allowed';

/**
 * Removes the latest item and returns it. When it is a tool's output, its call goes too (in either
 * spelling), so no call is left without its output; the output is what is returned. An output whose
 * call is gone, and a call still waiting for its output, go alone.
 */
async function popItem(state: SessionState): Promise<SessionItem | null> {
  const target = await projection.readPopTarget({ sessionId: state.sessionId });
  if (target.length === 0) return null;
  const popped = target[target.length - 1];
  const seqs = target.map((entry) => entry.seq);
  if (target.length === 1) {
    const call = callOf(state, popped);
    if (call !== undefined) seqs.unshift(call);
  }
  await removeCommitted(state, seqs);
  return popped;
}

/**
 * The seq of the call an output answers, when the projection's pop target did not bring it (the SDK's
 * spelling, `function_call_result` with `callId`): the latest call with its id before it in the window
 * or the query tail; undefined when it is not an output or its call is not there.
 */
function callOf(state: SessionState, output: SessionItem): number | undefined {
  const pairing = pairingOf(output.item);
  if (pairing?.role !== 'output') return undefined;
  const inView = state.view
    .toJSON()
    .filter((entry) => entry.kind === 'call' && entry.callId === pairing.callId && entry.seq < output.seq)
    .map((entry) => entry.seq);
  const inTail = state
    .latestItems()
    .filter((entry) => entry.seq < output.seq && pairingOf(entry.item)?.role === 'call' && pairingOf(entry.item)?.callId === pairing.callId)
    .map((entry) => entry.seq);
  const seqs = [...inView, ...inTail];
  return seqs.length > 0 ? Math.max(...seqs) : undefined;
}

/** Removes items from the projection, then from the state; every item when `seqs` is absent (clear). */
async function removeCommitted(state: SessionState, seqs?: number[]): Promise<void> {
  await projection.removeItems({
    sessionId: state.sessionId,
    ...(seqs ? { seqs } : {}),
    session: state.summary({ itemCount: seqs ? state.itemCount - seqs.length : 0 }),
  });
  if (seqs) state.removeItems(seqs);
  else state.clearItems();
}

/**
 * Replaces the older part of the model's window with a summary item (raw items stay in Postgres).
 * Runs between operations only, so no tool call is ever waiting; a failure changes nothing.
 */
async function compact(state: SessionState): Promise<CompactionResult> {
  const split = state.view.compactionSplit(state.settings.compaction?.keepTurns ?? 2);
  if (!split) return null;
  let summary;
  try {
    summary = await model.summarize({
      sessionId: state.sessionId,
      agent: state.agent,
      window: windowOf(split.summarize),
      model: state.settings.compaction?.model,
    });
  } catch (error) {
    const failure = callerFailure(error);
    if (!failure) throw error;
    throw ApplicationFailure.nonRetryable(`compaction failed, the session is unchanged: ${failure.message}`, FailureType.CompactionFailed);
  }
  const item: SessionItem = {
    seq: state.lastSeq + 1,
    agent: state.agent,
    at: new Date().toISOString(),
    item: { type: 'message', role: 'system', content: `${SUMMARY_PREFIX}${summary.text}` },
    summary: true,
  };
  await projection.projectTurn({
    sessionId: state.sessionId,
    items: [item],
    session: state.summary({ itemCount: state.itemCount + 1, lastSeq: item.seq }),
    spent: { kind: 'compaction', usage: summary.usage },
  });
  state.commitSummary(item, split.keep, summary.usage);
  return { summary: item, summarizedItems: split.summarize.length };
}

/** Whether the session's automatic compaction threshold is passed. */
function needsCompaction(state: SessionState): boolean {
  const settings = state.settings.compaction;
  if (!settings || state.ended) return false;
  return (
    (settings.afterItems !== undefined && state.view.size > settings.afterItems) ||
    (settings.afterTokens !== undefined && state.view.estimatedTokens() > settings.afterTokens)
  );
}

/** Automatic compaction after a turn: a failure is logged and changes nothing; the next turn tries again. */
async function compactAfterTurn(state: SessionState): Promise<void> {
  try {
    await compact(state);
  } catch (error) {
    const failure = callerFailure(error);
    if (!failure) throw error;
    log.warn('automatic compaction failed; the window stays as it is', { sessionId: state.sessionId, failureType: failure.type, error: failure.message });
  }
}
