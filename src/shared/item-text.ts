/** The text of message items, for replies and for matching memories. Workflow-safe. */
import { contentText, isMessage, type Item } from './items';

/** The text of the latest message of `role` among the items; empty when there is none. */
export function lastMessageText(items: Item[], role: 'user' | 'assistant'): string {
  for (let index = items.length - 1; index >= 0; index--) {
    const item = items[index];
    if (isMessage(item) && item.role === role) return contentText(item.content);
  }
  return '';
}
