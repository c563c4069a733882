/** The window the model is sent never holds a call without its output or an output without its call. */
import type { Item } from '../../src/shared/items';
import { withoutOrphans } from '../../src/shared/orphans';

const user: Item = { type: 'message', role: 'user', content: 'hi' };
const call = (id: string): Item => ({ type: 'function_call', call_id: id, name: 'f', arguments: '{}' });
const output = (id: string): Item => ({ type: 'function_call_output', call_id: id, output: 'ok' });
const sdkCall = (id: string): Item => ({ type: 'function_call', callId: id, name: 'f', arguments: '{}' });
const sdkResult = (id: string): Item => ({ type: 'function_call_result', callId: id, name: 'f', status: 'completed', output: 'ok' });
const reasoning: Item = { type: 'reasoning', summary: [], encrypted_content: 'x' };

test('pairs stay, in either spelling and with parallel calls', () => {
  const items = [user, call('a'), call('b'), output('b'), output('a'), sdkCall('c'), sdkResult('c')];
  expect(withoutOrphans(items)).toEqual(items);
});

test('a call without its output is left out, with the reasoning right before it', () => {
  expect(withoutOrphans([user, reasoning, call('a'), user])).toEqual([user, user]);
});

test('an output without a call before it is left out (even when its call comes after it)', () => {
  expect(withoutOrphans([output('a'), user, call('a')])).toEqual([user]);
});

test('a call id used twice pairs each call with the next output', () => {
  expect(withoutOrphans([call('x'), output('x'), call('x')])).toEqual([call('x'), output('x')]);
  expect(withoutOrphans([call('x'), output('x'), output('x')])).toEqual([call('x'), output('x')]);
});

test('hosted tool calls and other items without a pair are kept', () => {
  const hosted: Item = { type: 'web_search_call', id: 'ws', status: 'completed' };
  expect(withoutOrphans([user, hosted, reasoning])).toEqual([user, hosted, reasoning]);
});

test('works on entries that hold items', () => {
  const entries = [
    { seq: 1, item: call('a') },
    { seq: 2, item: user },
  ];
  expect(withoutOrphans(entries, (entry) => entry.item)).toEqual([{ seq: 2, item: user }]);
});
