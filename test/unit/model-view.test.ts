/** The model's window: turn-aware cuts, seq ranges for the claim check, and what compaction summarises. */
import type { SessionItem } from '../../src/shared/schemas';
import { ModelView } from '../../src/workflows/model-view';

const at = '2024-01-01T00:00:00.000Z';
const user = (seq: number): SessionItem => ({ seq, agent: 'a', at, item: { type: 'message', role: 'user', content: `u${seq}` } });
const assistant = (seq: number): SessionItem => ({ seq, agent: 'a', at, item: { type: 'message', role: 'assistant', content: `a${seq}` } });
const call = (seq: number, id: string): SessionItem => ({ seq, agent: 'a', at, item: { type: 'function_call', call_id: id, name: 'f', arguments: '{}' } });
const output = (seq: number, id: string): SessionItem => ({ seq, agent: 'a', at, item: { type: 'function_call_output', call_id: id, output: 'ok' } });

/** A turn with two parallel tool calls: user, call, call, output, output, assistant. */
function toolTurn(first: number): SessionItem[] {
  return [user(first), call(first + 1, `c${first}a`), call(first + 2, `c${first}b`), output(first + 3, `c${first}a`), output(first + 4, `c${first}b`), assistant(first + 5)];
}

function seqsOf(view: ModelView): number[] {
  return view.toJSON().map((entry) => entry.seq);
}

describe('trimming by items', () => {
  test('keeps the latest N items when the cut falls between turns', () => {
    const view = new ModelView();
    view.append([user(1), assistant(2), user(3), assistant(4)], { maxItems: 2 });
    expect(seqsOf(view)).toEqual([3, 4]);
  });

  test('never keeps a tool output without its call: the cut moves forward past the open pair', () => {
    const view = new ModelView();
    view.append(toolTurn(1), { maxItems: 3 });
    expect(seqsOf(view)).toEqual([6]);
    for (const entry of view.toJSON()) expect(entry.kind).not.toBe('output');
  });
});

describe('trimming by turns', () => {
  test('keeps the latest N turns, each from its user message', () => {
    const view = new ModelView();
    view.append([...toolTurn(1), user(7), assistant(8), user(9), assistant(10)], { maxTurns: 2 });
    expect(seqsOf(view)).toEqual([7, 8, 9, 10]);
  });
});

describe('the claim check', () => {
  test('consecutive seqs become one range; a popped item splits the ranges', () => {
    const view = new ModelView();
    view.append([user(1), assistant(2), user(3), assistant(4)], { maxItems: 100 });
    view.remove([4]);
    view.append([user(5), assistant(6)], { maxItems: 100 });
    expect(view.window()).toEqual({
      ranges: [
        [1, 3],
        [5, 6],
      ],
      count: 5,
    });
  });
});

describe('compaction', () => {
  test('summarises everything before the kept turns, and the summary comes first in the window', () => {
    const view = new ModelView();
    view.append([user(1), assistant(2), ...toolTurn(3), user(9), assistant(10)], { maxItems: 100 });
    const split = view.compactionSplit(1);
    expect(split?.summarize.map((entry) => entry.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(split?.keep.map((entry) => entry.seq)).toEqual([9, 10]);
    const summary: SessionItem = { seq: 11, agent: 'a', at, summary: true, item: { type: 'message', role: 'system', content: 'S' } };
    view.replaceWithSummary(summary, split?.keep ?? []);
    expect(view.window()).toEqual({
      ranges: [
        [11, 11],
        [9, 10],
      ],
      count: 3,
    });
  });

  test('has nothing to summarise when the window holds only the kept turns (or only a summary)', () => {
    const view = new ModelView();
    view.append([user(1), assistant(2)], { maxItems: 100 });
    expect(view.compactionSplit(1)).toBeUndefined();
  });

  test('a trim keeps the pinned summary first', () => {
    const view = new ModelView();
    const summary: SessionItem = { seq: 3, agent: 'a', at, summary: true, item: { type: 'message', role: 'system', content: 'S' } };
    view.replaceWithSummary(summary, []);
    view.append([user(4), assistant(5), user(6), assistant(7)], { maxItems: 3 });
    expect(seqsOf(view)).toEqual([3, 6, 7]);
  });
});

describe('calls without outputs and outputs without calls', () => {
  const sdkResult = (seq: number, id: string): SessionItem => ({
    seq,
    agent: 'a',
    at,
    item: { type: 'function_call_result', callId: id, name: 'f', status: 'completed', output: 'ok' },
  });

  test('a call saved before its output holds no cut back: the window stays bounded however long it waits', () => {
    const view = new ModelView();
    view.append([user(1), call(2, 'never')], { maxItems: 4 });
    for (let seq = 3; seq < 200; seq += 2) view.append([user(seq), assistant(seq + 1)], { maxItems: 4 });
    expect(view.size).toBe(4);
  });

  test('a call id used again by a call that is never answered does not hold every later cut back', () => {
    const view = new ModelView();
    view.append([user(1), call(2, 'x'), output(3, 'x'), assistant(4), user(5), call(6, 'x')], { maxItems: 100 });
    for (let seq = 7; seq < 100; seq += 2) view.append([user(seq), assistant(seq + 1)], { maxItems: 6 });
    expect(view.size).toBeLessThanOrEqual(6);
  });

  test('a pair in the SDK spelling (function_call_result) is never cut apart', () => {
    const view = new ModelView();
    view.append([user(1), call(2, 'c'), sdkResult(3, 'c'), assistant(4)], { maxItems: 2 });
    expect(seqsOf(view)).toEqual([4]);
  });

  test('an output whose call is not in the window is never where a window starts', () => {
    const view = new ModelView();
    view.append([user(1), output(2, 'gone'), output(3, 'gone2'), assistant(4), user(5)], { maxItems: 4 });
    expect(seqsOf(view)).toEqual([4, 5]);
  });

  test('compaction with a call still waiting for its output summarises before the kept turns', () => {
    const view = new ModelView();
    view.append([user(1), assistant(2), user(3), call(4, 'open'), user(5), assistant(6)], {});
    expect(view.compactionSplit(1)?.keep.map((entry) => entry.seq)).toEqual([5, 6]);
  });
});
