/** Human-readable output for the CLI. */
import { contentForDisplay, describeItem, isMessage } from '../shared/items';
import type { SessionItem } from '../shared/schemas';

/** One line for an item: its seq, who produced it, and what it says (a short label for what is not text). */
export function formatItem(entry: SessionItem): string {
  const { item } = entry;
  const seq = `#${entry.seq}`.padEnd(5);
  if (isMessage(item)) {
    const who = item.role === 'user' ? 'user' : `${item.role} (${entry.agent})`;
    return `${seq} ${who.padEnd(20)} ${contentForDisplay(item.content)}`;
  }
  if (item.type === 'function_call') return `${seq} ${`tool call (${entry.agent})`.padEnd(20)} ${String(item.name)}(${String(item.arguments)})`;
  const line = describeItem(item);
  if (line.startsWith('tool output: ')) return `${seq} ${'tool output'.padEnd(20)} ${line.slice('tool output: '.length)}`;
  return `${seq} ${`(${entry.agent})`.padEnd(20)} ${line}`;
}
