/** The conversation's state inside the workflow: the message queue, remembered outcomes and committed items. */
import { REMEMBERED_MESSAGE_IDS } from '../../src/shared/limits';
import type { SessionItem, TurnResult } from '../../src/shared/schemas';
import { SessionState, type TurnOutcome } from '../../src/workflows/session-state';

function newState(): SessionState {
  return new SessionState('s-1', {}, 'support');
}

/** The usage of one small model call. */
function okUsage(): TurnResult['usage'] {
  return { requests: 1, inputTokens: 1, outputTokens: 1, totalTokens: 2 };
}

/** A successful outcome for a message. */
function okOutcome(messageId: string): TurnOutcome {
  const result: TurnResult = {
    messageId,
    reply: `reply to ${messageId}`,
    agent: 'support',
    items: [],
    usage: okUsage(),
  };
  return { ok: true, result };
}

/** Committed items with these sequence numbers. */
function items(...seqs: number[]): SessionItem[] {
  return seqs.map((seq) => ({
    seq,
    agent: 'support',
    at: '2024-01-01T00:00:00.000Z',
    item: { type: 'message', role: 'user', content: `message ${seq}` },
  }));
}

describe('enqueue', () => {
  test('queues a new message and returns its id', () => {
    const state = newState();
    expect(state.enqueue('m1', { text: 'hi' })).toBe('m1');
    expect(state.queue).toEqual([{ id: 'm1', message: { text: 'hi' } }]);
  });

  test('ignores an id that is already queued', () => {
    const state = newState();
    state.enqueue('m1', { text: 'hi' });
    expect(state.enqueue('m1', { text: 'hi again' })).toBe('m1');
    expect(state.queue).toEqual([{ id: 'm1', message: { text: 'hi' } }]);
  });

  test('ignores the id of the message that is running', () => {
    const state = newState();
    state.running = { id: 'm1', message: { text: 'hi' } };
    state.enqueue('m1', { text: 'hi' });
    expect(state.queue).toHaveLength(0);
  });

  test('ignores an id that already has an answer', () => {
    const state = newState();
    state.remember('m1', okOutcome('m1'));
    state.enqueue('m1', { text: 'hi' });
    expect(state.queue).toHaveLength(0);
  });
});

describe('remember', () => {
  test(`keeps at most ${REMEMBERED_MESSAGE_IDS} outcomes, forgetting the oldest first`, () => {
    const state = newState();
    for (let index = 0; index <= REMEMBERED_MESSAGE_IDS + 1; index += 1) state.remember(`m${index}`, okOutcome(`m${index}`));
    expect(state.outcome('m0')).toBeUndefined();
    expect(state.outcome('m1')).toBeUndefined();
    expect(state.outcome('m2')).toEqual(okOutcome('m2'));
    expect(state.outcome(`m${REMEMBERED_MESSAGE_IDS + 1}`)).toEqual(okOutcome(`m${REMEMBERED_MESSAGE_IDS + 1}`));
  });

  test('a forgotten id can be queued again', () => {
    const state = newState();
    for (let index = 0; index <= REMEMBERED_MESSAGE_IDS; index += 1) state.remember(`m${index}`, okOutcome(`m${index}`));
    state.enqueue('m0', { text: 'again' });
    state.enqueue('m1', { text: 'again' });
    expect(state.queue.map((queued) => queued.id)).toEqual(['m0']);
  });
});

describe('committed items', () => {
  test('latestItems(limit) gives the last items in order, and all of them without a limit', () => {
    const state = newState();
    state.commit(items(1, 2, 3, 4), {}, 'support', okUsage());
    expect(state.latestItems(2).map((item) => item.seq)).toEqual([3, 4]);
    expect(state.latestItems().map((item) => item.seq)).toEqual([1, 2, 3, 4]);
  });

  test('latestItems without a limit returns a copy the caller cannot use to change the state', () => {
    const state = newState();
    state.commit(items(1), {}, 'support', okUsage());
    state.latestItems().push(...items(2));
    expect(state.items).toHaveLength(1);
  });

  test('window covers the committed items, and starts at 1 before any commit', () => {
    const state = newState();
    expect(state.window()).toEqual({ fromSeq: 1, throughSeq: 0, count: 0 });
    state.commit(items(1, 2), {}, 'support', okUsage());
    state.commit(items(3, 4, 5), {}, 'support', okUsage());
    expect(state.window()).toEqual({ fromSeq: 1, throughSeq: 5, count: 5 });
  });

  test('commit advances lastSeq and turns, adds the usage, and takes the new context and agent', () => {
    const state = newState();
    state.commit(items(1, 2), { tier: 'plus' }, 'support', { requests: 1, inputTokens: 10, outputTokens: 5, totalTokens: 15 });
    state.commit(items(3), { tier: 'enterprise' }, 'billing', { requests: 2, inputTokens: 20, outputTokens: 7, totalTokens: 27 });
    expect(state.lastSeq).toBe(3);
    expect(state.turns).toBe(2);
    expect(state.usage).toEqual({ requests: 3, inputTokens: 30, outputTokens: 12, totalTokens: 42 });
    expect(state.context).toEqual({ tier: 'enterprise' });
    expect(state.agent).toBe('billing');
  });

  test('a commit without items counts the turn but keeps lastSeq', () => {
    const state = newState();
    state.commit(items(1, 2), {}, 'support', okUsage());
    state.commit([], {}, 'support', okUsage());
    expect(state.lastSeq).toBe(2);
    expect(state.turns).toBe(2);
  });
});
