/** Human-readable output for the CLI. */
import type { SessionItem } from '../../shared/schemas';

/** One line for an item: its seq, who produced it, and what it says. */
export function formatItem(entry: SessionItem): string {
  const { item } = entry;
  const seq = `#${entry.seq}`.padEnd(5);
  switch (item.type) {
    case 'message': {
      const text = typeof item.content === 'string' ? item.content : item.content.map((part) => part.text).join('');
      const who = item.role === 'user' ? 'user' : `${item.role} (${entry.agent})`;
      return `${seq} ${who.padEnd(20)} ${text}`;
    }
    case 'function_call':
      return `${seq} ${`tool call (${entry.agent})`.padEnd(20)} ${item.name}(${item.arguments})`;
    case 'function_call_output':
      return `${seq} ${'tool output'.padEnd(20)} ${item.output}`;
  }
}
