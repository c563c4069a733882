/** The metadata the model's window keeps of an item (kind, size, call id), never its content. Workflow-safe. */
import { z } from 'zod';
import { describeItem, isMessage, pairingOf, type Item } from './items';
import { partText } from './content-parts';
import type { SessionItem } from './schemas';

/** One item of the model's window, as metadata: enough to cut it turn-aware and to estimate its tokens. */
export const ViewEntry = z.object({
  seq: z.number().int().positive(),
  /** `other`: reasoning, hosted tool calls and item types without a call to pair. */
  kind: z.enum(['user', 'assistant', 'system', 'call', 'output', 'summary', 'other']),
  chars: z.number().int().nonnegative(),
  callId: z.string().optional(),
});
export type ViewEntry = z.infer<typeof ViewEntry>;

/** Characters an image or a file counts for in token estimates (about 750 tokens). */
const ATTACHMENT_CHARS = 3_000;

/** The metadata of one committed item. */
export function viewEntryOf(entry: SessionItem): ViewEntry {
  const { item } = entry;
  if (entry.summary) return { seq: entry.seq, kind: 'summary', chars: textLength(item) };
  const pairing = pairingOf(item);
  if (pairing) return { seq: entry.seq, kind: pairing.role, chars: textLength(item), callId: pairing.callId };
  if (!isMessage(item)) return { seq: entry.seq, kind: 'other', chars: textLength(item) };
  const kind = item.role === 'user' ? 'user' : item.role === 'assistant' ? 'assistant' : 'system';
  return { seq: entry.seq, kind, chars: textLength(item) };
}

/** The characters an item counts for: its text, and a fixed amount per image or file (a reference's length says nothing). */
function textLength(item: Item): number {
  if (isMessage(item) && typeof item.content !== 'string') {
    return item.content.reduce((sum, part) => sum + (partText(part)?.length ?? ATTACHMENT_CHARS), 0);
  }
  if (isMessage(item)) return item.content.length;
  return describeItem(item).length;
}
