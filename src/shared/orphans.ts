/**
 * What the model may be sent of a window: no call without its output and no output without its call
 * (the Responses API and Chat Completions refuse both). A session may hold either (a call saved before
 * its output, an output whose call fell out of the window), so a window is paired when it is read: an
 * orphan is left out, as the Python Agents SDK's limited sessions do. Reasoning that directly precedes a
 * left-out call goes with it (the Responses API refuses a reasoning item without its following item).
 * Workflow-safe: pure.
 */
import { pairingOf, typeOf, type Item } from './items';

/** The items in order with every unpaired call and output left out; pairs are matched by position. */
export function withoutOrphans<T>(entries: T[], itemOf: (entry: T) => Item = (entry) => entry as unknown as Item): T[] {
  const pairings = entries.map((entry) => pairingOf(itemOf(entry)));
  const kept = entries.map(() => true);
  // A call is paired with the first later output of its call id that no earlier call took.
  const open = new Map<string, number[]>();
  for (let index = 0; index < entries.length; index++) {
    const pairing = pairings[index];
    if (!pairing) continue;
    const waiting = open.get(pairing.callId) ?? [];
    if (pairing.role === 'call') {
      waiting.push(index);
      open.set(pairing.callId, waiting);
      kept[index] = false;
    } else if (waiting.length > 0) {
      kept[waiting.shift() as number] = true;
    } else {
      kept[index] = false;
    }
  }
  for (let index = 0; index < entries.length; index++) {
    if (kept[index] || pairings[index]?.role !== 'call') continue;
    for (let before = index - 1; before >= 0 && typeOf(itemOf(entries[before])) === 'reasoning'; before--) kept[before] = false;
  }
  return entries.filter((_entry, index) => kept[index]);
}
