/**
 * Pure rules the session's operations follow: what a context patch or a label change makes (or why it
 * is refused), how an outcome is remembered compactly, which call a popped output takes with it, and
 * when a compaction is due. No state and no Temporal calls, so each is tested alone.
 */
import { MAX_CONTEXT_BYTES, MAX_REMEMBERED_VALUE_BYTES } from '../shared/limits';
import { pairingOf } from '../shared/items';
import { MAX_LABELS, utf8Length, type JsonObject, type Labels, type SessionItem, type SessionSettings, type TurnResult, type Usage } from '../shared/schemas';
import type { RememberedOutcome } from '../shared/session-snapshot';
import { emptyUsage } from '../shared/usage';
import type { ViewEntry } from '../shared/view-entry';

/** The context with a patch merged in, or the reason it is refused (too large). */
export function mergedContext(context: JsonObject, patch: JsonObject): { context: JsonObject } | { refused: string } {
  const merged = { ...context, ...patch };
  const bytes = utf8Length(JSON.stringify(merged));
  if (bytes > MAX_CONTEXT_BYTES) {
    return { refused: `the context would be ${bytes} bytes as JSON; it must stay within ${MAX_CONTEXT_BYTES} bytes` };
  }
  return { context: merged };
}

/** Labels with a patch applied (a null value removes one), or the reason it is refused (more than MAX_LABELS). */
export function relabelled(labels: Labels, patch: Record<string, string | null>): { labels: Labels } | { refused: string } {
  const changed: Labels = { ...labels };
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete changed[key];
    else changed[key] = value;
  }
  const count = Object.keys(changed).length;
  if (count > MAX_LABELS) return { refused: `the session would have ${count} labels; it may have at most ${MAX_LABELS}` };
  return { labels: changed };
}

/** An operation's value as its caller gets it, and as it is remembered. */
export function valueOutcome(id: string, value: unknown): { value: unknown; compact: RememberedOutcome } {
  return { value, compact: { form: 'value', id, value } };
}

/** The remembered outcome of an operation that added items: their seq range, read back on a retry. */
export function itemsOutcome(id: string, agent: string, items: SessionItem[], usage: Usage = emptyUsage()): RememberedOutcome {
  const fromSeq = items[0]?.seq ?? 1;
  return { form: 'items', id, agent, usage, fromSeq, throughSeq: items[items.length - 1]?.seq ?? 0 };
}

/** A turn's outcome: its items' range, with its finish reason and its structured output when small enough to carry. */
export function turnOutcome(id: string, result: TurnResult): { value: unknown; compact: RememberedOutcome } {
  const compact = itemsOutcome(id, result.agent, result.items, result.usage);
  const output = result.output !== undefined && utf8Length(JSON.stringify(result.output)) <= MAX_REMEMBERED_VALUE_BYTES ? { output: result.output } : {};
  return { value: result, compact: { ...compact, ...(result.finishReason ? { finishReason: result.finishReason } : {}), ...output } };
}

/**
 * The seq of the call an output answers, when the projection's pop target did not bring it (the SDK's
 * spelling, `function_call_result` with `callId`): the latest call with its id before it in the window
 * or the query tail; undefined when it is not an output or its call is not there.
 */
export function callBefore(output: SessionItem, window: ViewEntry[], tail: SessionItem[]): number | undefined {
  const pairing = pairingOf(output.item);
  if (pairing?.role !== 'output') return undefined;
  const inView = window.filter((entry) => entry.kind === 'call' && entry.callId === pairing.callId && entry.seq < output.seq).map((entry) => entry.seq);
  const inTail = tail
    .filter((entry) => entry.seq < output.seq && pairingOf(entry.item)?.role === 'call' && pairingOf(entry.item)?.callId === pairing.callId)
    .map((entry) => entry.seq);
  const seqs = [...inView, ...inTail];
  return seqs.length > 0 ? Math.max(...seqs) : undefined;
}

/** Whether a window of this size and estimated tokens passes the session's automatic compaction threshold. */
export function compactionDue(compaction: SessionSettings['compaction'], window: { items: number; estimatedTokens: number }): boolean {
  if (!compaction) return false;
  return (compaction.afterItems !== undefined && window.items > compaction.afterItems) || (compaction.afterTokens !== undefined && window.estimatedTokens > compaction.afterTokens);
}

/** Whether two JSON values are equal, whatever the order of their keys. */
export function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null || Array.isArray(a) !== Array.isArray(b)) return false;
  const keysA = Object.keys(a).filter((key) => (a as Record<string, unknown>)[key] !== undefined);
  const keysB = Object.keys(b).filter((key) => (b as Record<string, unknown>)[key] !== undefined);
  return keysA.length === keysB.length && keysA.every((key) => sameJson((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key]));
}
