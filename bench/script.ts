/**
 * The one turn script every system in the comparison runs, against the same offline model: the
 * conversation a session is filled with before it is timed, a plain turn, and a turn with one tool call.
 */

/** The tool every system offers: it answers with an order's delivery status. */
export const LOOKUP_ORDER = {
  name: 'lookup_order',
  description: 'Look up the delivery status of an order by its order number.',
  /** The order statuses the tool knows. */
  orders: { '1234': 'shipped on Monday, arriving Thursday' } as Record<string, string>,
  /** The tool's output for an order number. */
  answer(orderId: string): string {
    const status = LOOKUP_ORDER.orders[orderId];
    return status ? `Order ${orderId}: ${status}.` : `There is no order ${orderId}.`;
  },
};

/** The instructions every system's agent gets. */
export const INSTRUCTIONS = 'You are a friendly customer-support assistant. Use lookup_order for questions about orders.';

/** A plain turn's message: the offline model answers with text at once. */
export function plainMessage(index: number): string {
  return `message number ${index}`;
}

/** A tool turn's message: the offline model calls lookup_order, then answers with its output. */
export const TOOL_MESSAGE = 'Where is my order 1234?';

/** The turns a session holds before it is timed: a user message and the assistant's answer each. */
export function prefillTurns(turns: number): Array<{ user: string; assistant: string }> {
  return Array.from({ length: turns }, (_, index) => ({
    user: `earlier message ${index + 1}`,
    assistant: `You said: earlier message ${index + 1}`,
  }));
}
