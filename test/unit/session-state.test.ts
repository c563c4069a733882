/**
 * The conversation's state inside the workflow, without Temporal: the queue, remembered outcomes,
 * counters, the carried snapshot, and the operations (the activities they call are stubbed).
 */
import { MAX_CONTEXT_BYTES, QUERY_TAIL_ITEMS, REMEMBERED_MESSAGE_IDS } from '../../src/shared/limits';
import { SessionSettings, SettingsPatch, type JsonObject, type SessionItem } from '../../src/shared/schemas';
import { SessionSnapshot, type PausedTurn } from '../../src/shared/session-snapshot';
import { emptyUsage } from '../../src/shared/usage';
import { SessionState } from '../../src/workflows/session-state';
import { canonicalJson, fnv1a64, operationFingerprint } from '../../src/workflows/fingerprint';
import { mergedContext } from '../../src/workflows/session-rules';

jest.mock('../../src/workflows/activity-stubs', () => ({
  projection: {
    projectTurn: jest.fn(async () => undefined),
    removeItems: jest.fn(async () => undefined),
    endSession: jest.fn(async () => undefined),
    readItems: jest.fn(async () => []),
    readPopTarget: jest.fn(async () => []),
  },
  model: {},
  tools: {},
  importer: {},
}));

function newState(): SessionState {
  return SessionState.start('s-1', {}, 'support', SessionSettings.parse({}));
}

/** Committed user/assistant items with these sequence numbers. */
function items(...seqs: number[]): SessionItem[] {
  return seqs.map((seq) => ({
    seq,
    agent: 'support',
    at: '2024-01-01T00:00:00.000Z',
    item: { type: 'message', role: seq % 2 === 1 ? 'user' : 'assistant', content: `message ${seq}` },
  }));
}

/** A finished turn's draft holding these items (what the agent loop hands `commitTurn`). */
function draft(entries: SessionItem[], context: JsonObject = {}): PausedTurn {
  return {
    operationId: `turn-${entries[0]?.seq ?? 0}`,
    message: { text: 'hi' },
    items: entries,
    context,
    agent: 'support',
    usage: emptyUsage(),
    bytes: 0,
    modelCalls: 1,
    maxCalls: 10,
    calls: [],
    pending: [],
    decisions: {},
  };
}

/** Commits a turn of these items, with this context. */
function commitTurn(state: SessionState, entries: SessionItem[], context: JsonObject = state.context): void {
  state.commitTurn(draft(entries, context), context);
}

function settleValue(state: SessionState, id: string, value: unknown): void {
  state.settle(id, { ok: true, value }, { form: 'value', id, value });
}

describe('the queue', () => {
  test('queues a new operation once: a repeated id is not queued again', () => {
    const state = newState();
    expect(state.enqueueSignal({ kind: 'message', id: 'm1', message: { text: 'hi' } })).toBeUndefined();
    expect(state.enqueueSignal({ kind: 'message', id: 'm1', message: { text: 'hi' } })).toBeUndefined();
    expect(state.queue).toHaveLength(1);
  });

  test('does not queue an operation whose id is running or already settled', () => {
    const state = newState();
    state.enqueueSignal({ kind: 'message', id: 'p1', message: { text: 'hi' } });
    expect(state.takeNext()?.operation.id).toBe('p1');
    expect(state.enqueueSignal({ kind: 'message', id: 'p1', message: { text: 'hi' } })).toBeUndefined();
    settleValue(state, 'c1', null);
    expect(state.enqueueSignal({ kind: 'message', id: 'c1', message: { text: 'hi' } })).toBeUndefined();
    expect(state.queue).toEqual([]);
  });
});

describe('remembered outcomes', () => {
  test(`keeps at most ${REMEMBERED_MESSAGE_IDS} outcomes, forgetting the oldest first`, () => {
    const state = newState();
    for (let index = 0; index <= REMEMBERED_MESSAGE_IDS + 1; index += 1) settleValue(state, `m${index}`, index);
    expect(state.rememberedOutcome('m0')).toBeUndefined();
    expect(state.rememberedOutcome('m1')).toBeUndefined();
    expect(state.rememberedOutcome('m2')).toEqual({ form: 'value', id: 'm2', value: 2 });
  });

  test('a value too large to carry is remembered as forgotten, not carried', () => {
    const state = newState();
    settleValue(state, 'big', 'x'.repeat(20_000));
    expect(state.rememberedOutcome('big')).toEqual({ form: 'forgotten', id: 'big' });
    expect(state.fullResult('big')).toEqual({ ok: true, value: 'x'.repeat(20_000) });
  });
});

describe('items', () => {
  test('committing items moves lastSeq and itemCount; removing them lowers the count but never reuses a seq', async () => {
    const state = newState();
    commitTurn(state, items(1, 2));
    commitTurn(state, items(3, 4));
    expect([state.lastSeq, state.itemCount, state.turns]).toEqual([4, 4, 2]);
    const { projection } = jest.requireMock('../../src/workflows/activity-stubs');
    projection.readPopTarget.mockResolvedValueOnce(items(4));
    expect(await state.pop()).toEqual(items(4)[0]);
    expect([state.lastSeq, state.itemCount]).toEqual([4, 3]);
    await state.clear();
    expect([state.lastSeq, state.itemCount, state.windowSeqs()]).toEqual([4, 0, []]);
    expect(state.latestItems()).toEqual([]);
  });

  test(`the getItems tail keeps only the latest ${QUERY_TAIL_ITEMS} items`, () => {
    const state = newState();
    const many = items(...Array.from({ length: QUERY_TAIL_ITEMS + 10 }, (_, index) => index + 1));
    commitTurn(state, many);
    expect(state.latestItems()).toEqual(many.slice(-QUERY_TAIL_ITEMS));
    expect(state.latestItems(2).map((entry) => entry.seq)).toEqual([QUERY_TAIL_ITEMS + 9, QUERY_TAIL_ITEMS + 10]);
  });

  test('a context patch that would make the context too large is refused, and the context stays as it was', () => {
    const state = newState();
    expect(mergedContext({}, { a: 1 })).toEqual({ context: { a: 1 } });
    expect(mergedContext({}, { big: 'x'.repeat(MAX_CONTEXT_BYTES) })).toHaveProperty('refused');
    expect(state.patchContext({ a: 1 })).toEqual({ a: 1 });
    expect(() => state.patchContext({ big: 'x'.repeat(MAX_CONTEXT_BYTES) })).toThrow(/must stay within/);
    expect(state.context).toEqual({ a: 1 });
  });
});

describe('rolling over', () => {
  test('a snapshot carries the counters, window, tail, outcomes and queue into the next run', () => {
    const state = newState();
    commitTurn(state, items(1, 2), { a: 1 });
    settleValue(state, 'x1', 'done');
    state.enqueueSignal({ kind: 'message', id: 'm9', message: { text: 'later' } });
    const snapshot = SessionSnapshot.parse(JSON.parse(JSON.stringify(state.snapshot())));
    const next = SessionState.resume('s-1', snapshot);
    expect([next.run, next.lastSeq, next.itemCount, next.turns]).toEqual([2, 2, 2, 1]);
    expect(next.context).toEqual({ a: 1 });
    expect(next.window()).toEqual({ ranges: [[1, 2]], count: 2 });
    expect(next.latestItems()).toEqual(items(1, 2));
    expect(next.rememberedOutcome('x1')).toEqual({ form: 'value', id: 'x1', value: 'done' });
    expect(next.queue).toEqual([{ kind: 'message', id: 'm9', message: { text: 'later' } }]);
  });

  test('the snapshot stays small however many turns a session had', () => {
    const state = newState();
    for (let turn = 0; turn < 5_000; turn += 1) {
      const seq = turn * 2 + 1;
      commitTurn(state, items(seq, seq + 1));
      settleValue(state, `m${turn}`, { reply: 'ok' });
    }
    expect(JSON.stringify(state.snapshot()).length).toBeLessThan(200_000);
  });
});

describe('defects found in review', () => {
  test('an operation stays known (never queued twice) while 199 later outcomes of any size settle', () => {
    const state = newState();
    settleValue(state, 'first', 'ok');
    for (let index = 0; index < REMEMBERED_MESSAGE_IDS - 1; index += 1) settleValue(state, `big${index}`, { context: 'x'.repeat(7_000) });
    state.enqueueSignal({ kind: 'message', id: 'first', message: { text: 'again' } });
    expect(state.queue).toEqual([]);
  });

  test('changing one setting keeps the others as they were', () => {
    const state = SessionState.start('s-1', {}, 'support', SessionSettings.parse({ window: { maxTurns: 5 } }));
    const patch = SettingsPatch.parse({ settings: { ttlSeconds: 60 } });
    expect(state.changeSettings(patch.settings)).toEqual({ window: { maxTurns: 5 }, ttlSeconds: 60 });
  });

  test('signalled messages beyond the carried queue budget are refused, so a snapshot stays under 2 MB', () => {
    const state = newState();
    const big = 'x'.repeat(30_000);
    let accepted = 0;
    for (let index = 0; index < 100; index += 1) if (state.enqueueSignal({ kind: 'message', id: `s${index}`, message: { text: big } }) === undefined) accepted += 1;
    expect(accepted).toBeGreaterThan(0);
    expect(accepted).toBeLessThan(100);
    expect(JSON.stringify(state.snapshot()).length).toBeLessThan(2_000_000);
  });
});

describe('decisions on tool calls', () => {
  test('a decision may be early only while a message runs and has not paused: it then waits for the pause instead of being refused', () => {
    const state = newState();
    expect(state.decisionMayBeEarly()).toBe(false);
    state.enqueueSignal({ kind: 'message', id: 'm1', message: { text: 'refund it' } });
    state.takeNext();
    expect(state.decisionMayBeEarly()).toBe(true);
    expect(state.decisionRefusal({ callId: 'call_1', approved: true })).toMatch(/nothing waits/);
  });
});

describe('an operation id names one operation', () => {
  const add = (id: string, content: string) => ({ kind: 'add' as const, id, items: [{ type: 'message', role: 'user' as const, content }] });

  test('a settled id with other arguments is told apart; the same arguments (key order aside) are the same operation', () => {
    const state = newState();
    state.settle('a1', { ok: true, value: [] }, { form: 'value', id: 'a1', value: [] }, operationFingerprint(add('a1', 'one')));
    expect(state.reusedId('a1', operationFingerprint(add('a1', 'one')))).toBe(false);
    expect(state.reusedId('a1', operationFingerprint({ id: 'a1', items: [{ content: 'one', role: 'user', type: 'message' }], kind: 'add' }))).toBe(false);
    expect(state.reusedId('a1', operationFingerprint(add('a1', 'two')))).toBe(true);
    expect(state.reusedId('a1', operationFingerprint({ kind: 'pop', id: 'a1' }))).toBe(true);
    expect(state.reusedId('other', operationFingerprint(add('other', 'two')))).toBe(false);
  });

  test('a queued, running or paused operation is compared with what it was queued with', () => {
    const state = newState();
    state.enqueueSignal({ kind: 'message', id: 'm1', message: { id: 'm1', text: 'hi' } });
    expect(state.reusedId('m1', operationFingerprint({ kind: 'message', id: 'm1', message: { text: 'hi' } }))).toBe(false);
    expect(state.reusedId('m1', operationFingerprint({ kind: 'message', id: 'm1', message: { text: 'bye' } }))).toBe(true);
    state.takeNext();
    expect(state.reusedId('m1', operationFingerprint({ kind: 'compact', id: 'm1' }))).toBe(true);
  });

  test('fingerprints are carried across continue-as-new; an outcome remembered without one (an old snapshot) accepts the id as before', () => {
    const state = newState();
    state.settle('a1', { ok: true, value: 1 }, { form: 'value', id: 'a1', value: 1 }, operationFingerprint(add('a1', 'one')));
    settleValue(state, 'old', 2);
    const next = SessionState.resume('s-1', SessionSnapshot.parse(JSON.parse(JSON.stringify(state.snapshot()))));
    expect(next.reusedId('a1', operationFingerprint(add('a1', 'two')))).toBe(true);
    expect(next.reusedId('old', operationFingerprint(add('old', 'anything')))).toBe(false);
    const oldSnapshot = SessionSnapshot.parse({ ...state.snapshot(), remembered: [{ form: 'value', id: 'a1', value: 1 }] });
    expect(SessionState.resume('s-1', oldSnapshot).reusedId('a1', operationFingerprint(add('a1', 'two')))).toBe(false);
  });

  test('the fingerprint is 16 hex digits, FNV-1a 64 over canonical JSON', () => {
    expect(fnv1a64('')).toBe('cbf29ce484222325');
    expect(fnv1a64('foobar')).toBe('85944171f73967e8');
    expect(canonicalJson({ b: 1, a: [1, { d: undefined, c: 'x' }] })).toBe('{"a":[1,{"c":"x"}],"b":1}');
    expect(operationFingerprint(add('a', 'x'))).toMatch(/^[0-9a-f]{16}$/);
  });
});

describe('operations as methods', () => {
  const stubs = () => jest.requireMock('../../src/workflows/activity-stubs').projection;

  test('add writes the projection first, then commits the items under the next seqs', async () => {
    const state = newState();
    commitTurn(state, items(1, 2));
    const added = await state.add([{ type: 'message', role: 'user', content: 'noted' }]);
    expect(added.map((entry) => entry.seq)).toEqual([3]);
    expect(stubs().projectTurn).toHaveBeenLastCalledWith(expect.objectContaining({ items: added, session: expect.objectContaining({ itemCount: 3, lastSeq: 3 }) }));
    expect([state.lastSeq, state.itemCount, state.turns]).toEqual([3, 3, 1]);
  });

  test('a failed projection write changes nothing', async () => {
    const state = newState();
    stubs().projectTurn.mockRejectedValueOnce(new Error('postgres is down'));
    await expect(state.add([{ type: 'message', role: 'user', content: 'lost' }])).rejects.toThrow('postgres is down');
    expect([state.lastSeq, state.itemCount, state.latestItems()]).toEqual([0, 0, []]);
  });

  test('labels: a null removes one; more than allowed is refused and leaves them as they were', async () => {
    const state = SessionState.start('s-1', {}, 'support', SessionSettings.parse({}), { labels: { team: 'a', tier: 'gold' } });
    expect(await state.relabel({ tier: null, region: 'eu' })).toEqual({ team: 'a', region: 'eu' });
    const many = Object.fromEntries(Array.from({ length: 100 }, (_, index) => [`k${index}`, 'v']));
    await expect(state.relabel(many)).rejects.toThrow(/at most/);
    expect(state.snapshot().labels).toEqual({ team: 'a', region: 'eu' });
  });

  test('import refuses a session that has had items', async () => {
    const state = newState();
    commitTurn(state, items(1, 2));
    await expect(state.import({ importId: 'i1', lastSeq: 2, turns: 1, usage: emptyUsage(), window: {} } as never)).rejects.toThrow(/already has items/);
  });

  test('a paused turn holds the queue until every decision is in, then runs first; a decision cannot be changed', () => {
    const state = newState();
    state.enqueueSignal({ kind: 'message', id: 'm1', message: { text: 'refund it' } });
    state.enqueueSignal({ kind: 'message', id: 'm2', message: { text: 'later' } });
    state.takeNext();
    const paused = {
      ...draft([]),
      operationId: 'm1',
      pending: [{ callId: 'call_1', tool: 'refund', arguments: '{}', agent: 'support', messageId: 'm1', requestedAt: '2024-01-01T00:00:00.000Z' }],
    };
    state.pause(paused);
    expect(state.pendingApprovals().map((entry) => entry.callId)).toEqual(['call_1']);
    expect(state.due(false)).toBe(false);
    expect(state.takeNext()).toBeUndefined();
    expect(state.decide('d1', { callId: 'call_1', approved: true })).toEqual({ callId: 'call_1', approved: true, stillPending: 0 });
    expect(state.decisionRefusal({ callId: 'call_1', approved: false })).toMatch(/already approved/);
    expect(state.decide('d1', { callId: 'call_1', approved: true })).toEqual({ callId: 'call_1', approved: true, stillPending: 0 });
    expect(state.due(false)).toBe(true);
    expect(state.takeNext()).toEqual({ operation: { kind: 'message', id: 'm1', message: paused.message }, paused });
    expect(state.queue.map((operation) => operation.id)).toEqual(['m2']);
  });

  test('expiring ends the session: the paused turn fails with the reason, and every later operation is refused', async () => {
    const state = newState();
    state.pause({ ...draft([]), operationId: 'm1' });
    await state.expire();
    expect(state.ended).toBe('expired');
    expect(state.fullResult('m1')).toMatchObject({ ok: false, type: 'SessionExpired' });
    expect(stubs().endSession).toHaveBeenLastCalledWith({ sessionId: 's-1', status: 'expired' });
    expect(() => state.checkAdmission({ kind: 'pop', id: 'p1' })).toThrow(/was expired/);
  });

  test('rolling over refuses new updates and keeps the signalled operations queued (carried), remembering nothing of them', () => {
    const state = newState();
    state.enqueueSignal({ kind: 'message', id: 's1', message: { text: 'signalled' } });
    state.rollOver();
    expect(state.queue.map((operation) => operation.id)).toEqual(['s1']);
    expect(state.rememberedOutcome('s1')).toBeUndefined();
    expect(() => state.checkAdmission({ kind: 'pop', id: 'p1' })).toThrow(/continuing as new/);
    expect(state.status({ historyLength: 1, historySizeBytes: 1 }).state).toBe('rolling-over');
  });

  test('a signal whose id names another operation is dropped with the reason', () => {
    const state = newState();
    state.settle('a1', { ok: true, value: [] }, { form: 'value', id: 'a1', value: [] }, operationFingerprint({ kind: 'pop', id: 'a1' }));
    expect(state.enqueueSignal({ kind: 'message', id: 'a1', message: { text: 'hi' } })).toMatch(/names another operation/);
  });
});
