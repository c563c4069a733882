/** The metadata the model's window keeps of an item (kind, size, call id), never its content. Workflow-safe. */
import { z } from 'zod';
import type { SessionItem } from './schemas';

/** One item of the model's window, as metadata: enough to cut it turn-aware and to estimate its tokens. */
export const ViewEntry = z.object({
  seq: z.number().int().positive(),
  kind: z.enum(['user', 'assistant', 'system', 'call', 'output', 'summary']),
  chars: z.number().int().nonnegative(),
  callId: z.string().optional(),
});
export type ViewEntry = z.infer<typeof ViewEntry>;

/** The metadata of one committed item. */
export function viewEntryOf(entry: SessionItem): ViewEntry {
  const { item } = entry;
  if (entry.summary) return { seq: entry.seq, kind: 'summary', chars: textLength(item) };
  if (item.type === 'function_call') return { seq: entry.seq, kind: 'call', chars: textLength(item), callId: item.call_id };
  if (item.type === 'function_call_output') return { seq: entry.seq, kind: 'output', chars: textLength(item), callId: item.call_id };
  const kind = item.role === 'user' ? 'user' : item.role === 'assistant' ? 'assistant' : 'system';
  return { seq: entry.seq, kind, chars: textLength(item) };
}

function textLength(item: SessionItem['item']): number {
  if (item.type === 'function_call') return item.name.length + item.arguments.length;
  if (item.type === 'function_call_output') return item.output.length;
  return typeof item.content === 'string' ? item.content.length : item.content.reduce((sum, part) => sum + part.text.length, 0);
}
