/**
 * Managing sessions: listing them from the projection (by id prefix, user, labels and last change, a
 * page at a time), labels set at start and changed later, and the tokens spent per turn with totals;
 * through the library and the CLI.
 */
import { InvalidInputError, SessionNotFoundError } from '../src/client/errors';
import type { ListedSession } from '../src/shared/listing';
import { runCli } from './support/cli';
import { startTestStack, type TestStack } from './support/stack';

let stack: TestStack;
const run = `m${Date.now().toString(36)}`;

beforeAll(async () => {
  stack = await startTestStack();
});

afterAll(async () => {
  await stack?.stop();
});

beforeEach(() => stack.model.reset());

const ids = (sessions: ListedSession[]) => sessions.map((session) => session.sessionId);

describe('listing sessions', () => {
  const prefix = `${run}-list`;

  beforeAll(async () => {
    await stack.client.send(`${prefix}:a`, 'Hello', { userId: 'ada', labels: { tier: 'gold', department: 'billing' } });
    await stack.client.send(`${prefix}:b`, 'Hello', { userId: 'bob', labels: { tier: 'free' } });
    await stack.client.send(`${prefix}:c`, 'Hello', { userId: 'ada', labels: { tier: 'gold' } });
    await stack.client.send(`${prefix}x:d`, 'Hello');
  });

  test('lists by id prefix, most recently changed first, with user, labels and counts', async () => {
    const page = await stack.client.list({ prefix: `${prefix}:` });
    expect(ids(page.sessions)).toEqual([`${prefix}:c`, `${prefix}:b`, `${prefix}:a`]);
    expect(page.sessions[2]).toMatchObject({ userId: 'ada', labels: { tier: 'gold', department: 'billing' }, status: 'active', itemCount: 2 });
    expect(page.next).toBeUndefined();
  });

  test('filters by user, by labels (all must match) and by last change', async () => {
    expect(ids((await stack.client.list({ prefix, userId: 'ada' })).sessions)).toEqual([`${prefix}:c`, `${prefix}:a`]);
    expect(ids((await stack.client.list({ prefix, labels: { tier: 'gold', department: 'billing' } })).sessions)).toEqual([`${prefix}:a`]);
    const [newest] = (await stack.client.list({ prefix })).sessions;
    expect(ids((await stack.client.list({ prefix, updatedSince: newest.updatedAt })).sessions)).toEqual([newest.sessionId]);
    expect((await stack.client.list({ prefix, updatedSince: new Date(Date.now() + 60_000) })).sessions).toEqual([]);
  });

  test('pages through every session exactly once, even when sessions share a timestamp', async () => {
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await stack.client.list({ prefix, limit: 1, ...(cursor ? { cursor } : {}) });
      seen.push(...ids(page.sessions));
      cursor = page.next;
    } while (cursor);
    expect(seen).toEqual([`${prefix}x:d`, `${prefix}:c`, `${prefix}:b`, `${prefix}:a`]);
  });

  test('refuses a bad filter or cursor with the reason', async () => {
    await expect(stack.client.list({ limit: 0 })).rejects.toThrow(InvalidInputError);
    await expect(stack.client.list({ cursor: 'not-a-cursor' })).rejects.toThrow(/invalid cursor/);
    await expect(stack.client.list({ updatedSince: 'yesterday' })).rejects.toThrow(/updatedSince/);
    await expect(stack.client.list({ labels: { 'bad key': 'x' } })).rejects.toThrow(/label key/);
  });

  test('the list command prints one line a session and the next page cursor', async () => {
    const env = { DATABASE_URL: stack.db.url };
    const first = await runCli(['list', '--prefix', `${prefix}:`, '--label', 'tier=gold', '--limit', '1'], env);
    expect(first.code).toBe(0);
    const [line, more] = first.stdout.trim().split('\n');
    expect(line).toMatch(new RegExp(`^${prefix}:c  ada  active  2 items  \\S+  tier=gold$`));
    const cursor = /^more: --cursor (\S+)$/.exec(more)?.[1] as string;
    const second = await runCli(['list', '--prefix', `${prefix}:`, '--label', 'tier=gold', '--limit', '1', '--cursor', cursor, '--json'], env);
    expect(ids(JSON.parse(second.stdout).sessions)).toEqual([`${prefix}:a`]);
    expect(await runCli(['list', '--label', 'tier'], env)).toMatchObject({ code: 2, stderr: expect.stringContaining('--label must be key=value') });
  });
});

describe('labels', () => {
  test('labels set at start change with updateLabels (null removes), show in status and the listing, and are bounded', async () => {
    const session = `${run}-labels:a`;
    await stack.client.send(session, 'Hello', { labels: { tier: 'free' } });
    expect(await stack.client.updateLabels(session, { tier: 'gold', department: 'sales' })).toEqual({ tier: 'gold', department: 'sales' });
    expect(await stack.client.updateLabels(session, { department: null })).toEqual({ tier: 'gold' });
    expect((await stack.client.status(session)).labels).toEqual({ tier: 'gold' });
    expect((await stack.client.list({ prefix: session })).sessions[0].labels).toEqual({ tier: 'gold' });

    const many = Object.fromEntries(Array.from({ length: 32 }, (_, index) => [`k${index}`, 'v']));
    await expect(stack.client.updateLabels(session, many)).rejects.toThrow('at most 32');
    expect((await stack.client.status(session)).labels).toEqual({ tier: 'gold' });
  });

  test('a session labelled before its first message is listed', async () => {
    const session = `${run}-labels:early`;
    await stack.client.addItems(session, [{ type: 'message', role: 'user', content: 'Imported note' }], { labels: { source: 'crm' } });
    await stack.client.updateLabels(session, { stage: 'new' });
    expect((await stack.client.list({ prefix: session })).sessions[0].labels).toEqual({ source: 'crm', stage: 'new' });
  });

  test('the labels command sets and removes labels', async () => {
    const session = `${run}-labels:cli`;
    await stack.client.send(session, 'Hello');
    const env = { DATABASE_URL: stack.db.url, TEMPORAL_ADDRESS: stack.temporal.address, AGENT_SESSIONS_TASK_QUEUE: stack.taskQueue };
    const set = await runCli(['labels', '--session', session, '--label', 'tier=gold', '--label', 'team=emea'], env);
    expect(JSON.parse(set.stdout)).toEqual({ tier: 'gold', team: 'emea' });
    const removed = await runCli(['labels', '--session', session, '--remove', 'team'], env);
    expect(JSON.parse(removed.stdout)).toEqual({ tier: 'gold' });
  });
});

describe('usage', () => {
  test('records the tokens of every turn, and totals them; a compaction is an entry of its own', async () => {
    const session = `${run}-usage:a`;
    await stack.client.send(session, 'Where is order 1234?');
    await stack.client.send(session, 'Thanks');
    await stack.client.send(session, 'And order 5678?');
    await stack.client.compact(session);
    const report = await stack.client.usage(session);
    expect(report.entries.map((entry) => [entry.kind, entry.turn])).toEqual([
      ['turn', 1],
      ['turn', 2],
      ['turn', 3],
      ['compaction', null],
    ]);
    for (const entry of report.entries) expect(entry.usage.totalTokens).toBeGreaterThan(0);
    const status = await stack.client.status(session);
    expect(report.total).toEqual(status.usage);
    expect(report.entries[0].messageId).toEqual(expect.any(String));
  });

  test('a retried turn records its usage once', async () => {
    const session = `${run}-usage:retry`;
    await stack.client.send(session, { id: 'same-id', text: 'Hello' });
    await stack.client.send(session, { id: 'same-id', text: 'Hello' });
    expect((await stack.client.usage(session)).entries).toHaveLength(1);
  });

  test('an unknown session has no usage; the usage command prints each turn and the total', async () => {
    await expect(stack.client.usage(`${run}-usage:none`)).rejects.toThrow(SessionNotFoundError);
    const session = `${run}-usage:cli`;
    await stack.client.send(session, 'Hello');
    const printed = await runCli(['usage', '--session', session], { DATABASE_URL: stack.db.url });
    expect(printed.stdout).toMatch(/^turn 1 +support +in \d+ +out \d+ +total \d+\ntotal +1 requests +in \d+ +out \d+ +total \d+\n$/);
  });
});
