/** `sessions.session(id)`: each call of the handle is the client's call of the same name with the id first, nothing else. */
import type { Client } from '@temporalio/client';
import { SessionsClient } from '../../src/client/sessions-client';
import { InvalidInputError } from '../../src/client/errors';

/** A client that never reaches Temporal or Postgres: every call under test is replaced by a recorder. */
function offlineClient(): SessionsClient {
  return new SessionsClient({ temporal: {} as Client });
}

/** Handle call → the client method it must reach, with the arguments after the id. */
const cases: Array<[handleCall: string, clientCall: string, args: unknown[]]> = [
  ['send', 'send', ['Hi', { context: { a: 1 } }]],
  ['stream', 'stream', ['Hi', { after: 3 }]],
  ['signal', 'signal', ['Hi', undefined]],
  ['items', 'items', [{ limit: 5 }]],
  ['workflowItems', 'workflowItems', [{ limit: 2 }]],
  ['context', 'context', []],
  ['status', 'status', []],
  ['usage', 'usage', []],
  ['addItems', 'addItems', [[{ type: 'message', role: 'user', content: 'x' }], { id: 'op-1' }]],
  ['replaceSuffix', 'replaceSuffix', [[], [], { id: 'op-2' }]],
  ['popItem', 'popItem', [{ id: 'op-3' }]],
  ['clear', 'clearSession', [{ id: 'op-4' }]],
  ['compact', 'compact', [undefined]],
  ['updateContext', 'updateContext', [{ tier: 'plus' }, { id: 'op-5' }]],
  ['updateSettings', 'updateSettings', [{ window: { maxItems: 10 } }, undefined]],
  ['updateLabels', 'updateLabels', [{ tier: null }, undefined]],
  ['pendingApprovals', 'pendingApprovals', []],
  ['approve', 'approve', ['call-1', { reason: 'ok' }]],
  ['reject', 'reject', ['call-2', undefined]],
  ['export', 'exportSession', []],
  ['fork', 'forkSession', ['copy', { turn: 2 }]],
  ['delete', 'deleteSession', [{ id: 'op-6' }]],
];

describe('SessionHandle', () => {
  it.each(cases)('%s calls the client’s %s with the session id first', (handleCall, clientCall, args) => {
    const client = offlineClient();
    const answer = Symbol(clientCall);
    const spy = jest.spyOn(client as unknown as Record<string, () => unknown>, clientCall).mockReturnValue(answer);
    const handle = client.session('alice:support') as unknown as Record<string, (...given: unknown[]) => unknown>;
    expect(handle[handleCall](...args)).toBe(answer);
    expect(spy).toHaveBeenCalledWith('alice:support', ...args);
  });

  it('holds the id it was made with', () => {
    expect(offlineClient().session('alice:support').id).toBe('alice:support');
  });

  it('refuses an invalid session id when it is made', () => {
    expect(() => offlineClient().session('')).toThrow(InvalidInputError);
  });
});
