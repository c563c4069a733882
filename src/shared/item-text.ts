/** The text of message items, for replies and for matching memories. Workflow-safe. */
import type { Item } from './schemas';

/** The text of the latest message of `role` among the items; empty when there is none. */
export function lastMessageText(items: Item[], role: 'user' | 'assistant'): string {
  for (let index = items.length - 1; index >= 0; index--) {
    const item = items[index];
    if (item.type === 'message' && item.role === role) {
      return typeof item.content === 'string' ? item.content : item.content.map((part) => part.text).join('');
    }
  }
  return '';
}
