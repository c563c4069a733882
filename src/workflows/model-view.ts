/**
 * The model's window as the workflow keeps it: metadata of the items the model sees (a summary first,
 * then the latest items), never their contents. It is cut only where no tool call waits for its output,
 * and it turns into seq ranges the model activity reads back from the projection.
 */
import type { ItemWindow, SeqRange } from '../shared/activity-io';
import { viewEntryOf, type ViewEntry } from '../shared/view-entry';
import type { SessionItem, WindowSettings } from '../shared/schemas';

/** Characters per estimated token (a rough, model-independent rule of thumb). */
const CHARS_PER_TOKEN = 4;

/** The model's window: a pinned summary (when compacted) and the latest entries after it. */
export class ModelView {
  constructor(private entries: ViewEntry[] = []) {}

  /** The entries, summary first, for carrying across continue-as-new. */
  toJSON(): ViewEntry[] {
    return [...this.entries];
  }

  /** How many items the model sees. */
  get size(): number {
    return this.entries.length;
  }

  /** The estimated tokens of the window. */
  estimatedTokens(): number {
    return Math.ceil(this.entries.reduce((sum, entry) => sum + entry.chars, 0) / CHARS_PER_TOKEN);
  }

  /** Appends committed items, then trims to the window settings. */
  append(items: SessionItem[], window: WindowSettings): void {
    this.entries.push(...items.map(viewEntryOf));
    this.trim(window);
  }

  /** Replaces the window with these entries (an imported session's), trimmed to the window settings. */
  reset(entries: ViewEntry[], window: WindowSettings): void {
    this.entries = [...entries];
    this.trim(window);
  }

  /** The seqs of the window, in the order the model sees them. */
  seqs(): number[] {
    return this.entries.map((entry) => entry.seq);
  }

  /** Forgets removed items. */
  remove(seqs: number[]): void {
    const removed = new Set(seqs);
    this.entries = this.entries.filter((entry) => !removed.has(entry.seq));
  }

  /** Forgets everything. */
  clear(): void {
    this.entries = [];
  }

  /** Drops the oldest entries beyond `maxItems` items or `maxTurns` turns, cutting only between tool call pairs. */
  trim(window: WindowSettings): void {
    const pinned = this.entries[0]?.kind === 'summary' ? this.entries.slice(0, 1) : [];
    const rest = this.entries.slice(pinned.length);
    let cut = 0;
    if (window.maxItems !== undefined) cut = Math.max(cut, rest.length - Math.max(window.maxItems - pinned.length, 0));
    if (window.maxTurns !== undefined) cut = Math.max(cut, turnStartFromEnd(rest, window.maxTurns));
    if (cut === 0) return;
    this.entries = [...pinned, ...rest.slice(firstCleanCut(rest, cut))];
  }

  /**
   * The part a compaction summarises (the summary so far and every turn before the latest `keepTurns`)
   * and the part it keeps; undefined when there is nothing older to summarise.
   */
  compactionSplit(keepTurns: number): { summarize: ViewEntry[]; keep: ViewEntry[] } | undefined {
    const cut = keepTurns === 0 ? this.entries.length : firstCleanCut(this.entries, turnStartFromEnd(this.entries, keepTurns));
    const summarize = this.entries.slice(0, cut);
    if (!summarize.some((entry) => entry.kind !== 'summary')) return undefined;
    return { summarize, keep: this.entries.slice(cut) };
  }

  /** Puts a new summary in place of what it summarises. */
  replaceWithSummary(summary: SessionItem, keep: ViewEntry[]): void {
    this.entries = [viewEntryOf(summary), ...keep];
  }

  /** The claim check for the model activity: this window's seq ranges in the order the model sees them. */
  window(): ItemWindow {
    return windowOf(this.entries);
  }
}

/** Seq ranges for entries in their order: runs of consecutive seq numbers become one range. */
export function windowOf(entries: ViewEntry[]): ItemWindow {
  const ranges: SeqRange[] = [];
  for (const entry of entries) {
    const last = ranges[ranges.length - 1];
    if (last && entry.seq === last[1] + 1) last[1] = entry.seq;
    else ranges.push([entry.seq, entry.seq]);
  }
  return { ranges, count: entries.length };
}

/** The index where the `turns`-th last turn starts (a turn starts at a user message); 0 when there are fewer. */
function turnStartFromEnd(entries: ViewEntry[], turns: number): number {
  let seen = 0;
  for (let index = entries.length - 1; index >= 0; index--) {
    if (entries[index].kind === 'user' && ++seen === turns) return index;
  }
  return 0;
}

/**
 * The first index at or after `from` where no earlier tool call is still waiting for an output that
 * comes later in the window, and that is not an output itself. Pairs are found by position: a call is
 * open from itself to the first later output with its call id. A call that has no later output (saved
 * before its output, which may never come; or a call id used again) holds no cut back, so an orphan
 * older than the cut is cut away and the window never grows without bound; an output without a call
 * before it in the window is cut with what precedes it. What is left unpaired is left out when the
 * window is read (`withoutOrphans`).
 */
function firstCleanCut(entries: ViewEntry[], from: number): number {
  // For each call, whether an output with its call id follows it (scanning from the end).
  const answeredAt = new Set<number>();
  const laterOutputs = new Map<string, number>();
  for (let index = entries.length - 1; index >= 0; index--) {
    const entry = entries[index];
    if (!entry.callId) continue;
    if (entry.kind === 'output') laterOutputs.set(entry.callId, (laterOutputs.get(entry.callId) ?? 0) + 1);
    if (entry.kind === 'call' && (laterOutputs.get(entry.callId) ?? 0) > 0) {
      answeredAt.add(index);
      laterOutputs.set(entry.callId, (laterOutputs.get(entry.callId) ?? 0) - 1);
    }
  }
  const open = new Map<string, number>();
  const cleanAt: boolean[] = [];
  for (let index = 0; index < entries.length; index++) {
    cleanAt.push(open.size === 0);
    const entry = entries[index];
    if (!entry.callId) continue;
    if (entry.kind === 'call' && answeredAt.has(index)) open.set(entry.callId, (open.get(entry.callId) ?? 0) + 1);
    if (entry.kind === 'output' && open.has(entry.callId)) {
      const left = (open.get(entry.callId) ?? 1) - 1;
      if (left === 0) open.delete(entry.callId);
      else open.set(entry.callId, left);
    }
  }
  for (let index = from; index < entries.length; index++) {
    if (cleanAt[index] && entries[index].kind !== 'output') return index;
  }
  return entries.length;
}
