/**
 * Managing sessions: listing them from the projection (by id prefix, user, labels and last change, a
 * page at a time), labels set at start and changed later, the tokens spent per turn with totals, and
 * export, import and fork; through the library and the CLI.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { InvalidInputError, SessionExistsError, SessionNotFoundError } from '../src/client/errors';
import { SUMMARY_PREFIX } from '../src/shared/compaction';
import type { SessionExport } from '../src/shared/export';
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
    await stack.db.pool.query('UPDATE sessions SET updated_at = (SELECT updated_at FROM sessions WHERE id = $1) WHERE id = ANY($2::text[])', [
      `${prefix}:a`,
      [`${prefix}:b`, `${prefix}:c`],
    ]);
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

  test('the CLI says what is wrong with a --label: its form, its key or its value', async () => {
    const env = { DATABASE_URL: stack.db.url };
    expect(await runCli(['list', '--label', `k=${'v'.repeat(257)}`], env)).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('a label value must be at most 256 characters'),
    });
    expect(await runCli(['list', '--label', 'bad key=v'], env)).toMatchObject({ code: 2, stderr: expect.stringContaining('a label key must be 1 to 64 letters') });
  });

  test('the CLI refuses a key named "__proto__" in --context or --label, which would be dropped without a word', async () => {
    const env = { TEMPORAL_ADDRESS: stack.temporal.address, DATABASE_URL: stack.db.url, AGENT_SESSIONS_TASK_QUEUE: stack.taskQueue };
    const session = `${run}-proto:a`;
    for (const option of [
      ['--context', '{"__proto__":{"admin":true}}'],
      ['--label', '__proto__=x'],
    ]) {
      expect(await runCli(['send', '--session', session, ...option, 'hello'], env)).toMatchObject({ code: 2, stderr: expect.stringContaining('"__proto__"') });
    }
    await expect(stack.client.items(session)).rejects.toThrow(SessionNotFoundError);
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

describe('export, import and fork', () => {
  const unicode = 'Grüße 👋🏽 日本語 עברית e\u0301 \u200d zero-width, and "quotes" \\ backslash';
  const large = `${'Ω'.repeat(20_000)} ${'x'.repeat(60_000)}`;

  /** A session with every kind of item: unicode, a large item, tool calls, a summary, a popped item; a user, labels, usage. */
  async function richSession(session: string): Promise<void> {
    await stack.client.send(session, unicode, { userId: 'ümlaut.user', labels: { tier: 'gold', note: unicode.slice(0, 40) }, context: { name: unicode } });
    await stack.client.send(session, 'Where is order 1234?');
    await stack.client.addItems(session, [{ type: 'message', role: 'user', content: large }]);
    await stack.client.send(session, 'Thanks');
    await stack.client.compact(session);
    await stack.client.send(session, 'One more thing');
    await stack.client.popItem(session);
  }

  /** A document without what differs between two sessions with the same content. */
  const comparable = (document: SessionExport) => ({ ...document, sessionId: undefined, exportedAt: undefined });

  test('a session imported from its export exports to the same document: items, context, labels, user, usage and window', async () => {
    const source = `${run}-export:source`;
    await richSession(source);
    const exported = await stack.client.exportSession(source);
    expect(exported).toMatchObject({ format: 'agent-sessions.session', version: 1, userId: 'ümlaut.user', turns: 4 });
    expect(exported.items.some((entry) => entry.summary)).toBe(true);
    expect(exported.lastSeq).toBeGreaterThan(exported.items[exported.items.length - 1].seq);

    const copy = `${run}-export:copy`;
    const imported = await stack.client.importSession(copy, JSON.parse(JSON.stringify(exported)));
    expect(imported).toEqual({ itemCount: exported.items.length, lastSeq: exported.lastSeq });
    expect(comparable(await stack.client.exportSession(copy))).toEqual(comparable(exported));
    expect(await stack.client.items(copy)).toEqual(exported.items);
    expect((await stack.client.list({ prefix: copy })).sessions[0]).toMatchObject({ userId: 'ümlaut.user', labels: exported.labels });

    stack.model.reset();
    const next = await stack.client.send(copy, 'Still there?');
    expect(next.items[0].seq).toBe(exported.lastSeq + 1);
    const seen = JSON.stringify(stack.model.requests[0].messages);
    expect(seen).toContain(SUMMARY_PREFIX);
    expect((await stack.client.status(copy)).turns).toBe(5);
  });

  test('fork keeps the items up to the turn asked for, the context and the labels; both sessions go on apart', async () => {
    const source = `${run}-fork:source`;
    await stack.client.send(source, 'First', { context: { plan: 'pro' }, labels: { tier: 'gold' } });
    await stack.client.send(source, 'Second');
    await stack.client.send(source, 'Third');
    const forked = `${run}-fork:copy`;
    const result = await stack.client.forkSession(source, forked, { turn: 2 });
    const sourceItems = await stack.client.items(source);
    const upToTurn2 = sourceItems.slice(0, 4);
    expect(result).toEqual({ itemCount: 4, lastSeq: upToTurn2[3].seq });
    expect(await stack.client.items(forked)).toEqual(upToTurn2);
    expect(await stack.client.context(forked)).toEqual({ plan: 'pro' });
    expect((await stack.client.usage(forked)).entries.map((entry) => entry.turn)).toEqual([1, 2]);
    expect(await stack.client.status(forked)).toMatchObject({ turns: 2, labels: { tier: 'gold' } });

    await stack.client.send(forked, 'A different third');
    expect((await stack.client.items(forked)).map((entry) => entry.seq)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(await stack.client.items(source)).toEqual(sourceItems);
    await expect(stack.client.forkSession(source, `${run}-fork:none`, { turn: 9 })).rejects.toThrow('has no turn 9 (it has 3)');
  });

  test('import refuses an id in use and a bad document, and leaves nothing staged', async () => {
    const source = `${run}-import:source`;
    await stack.client.send(source, 'Hello');
    const document = await stack.client.exportSession(source);
    await expect(stack.client.importSession(source, document)).rejects.toThrow(SessionExistsError);
    await expect(stack.client.importSession(`${run}-import:v2`, { ...document, version: 2 } as never)).rejects.toThrow(/version 1/);
    await expect(stack.client.importSession(`${run}-import:w`, { ...document, window: [999] })).rejects.toThrow(/window names seq 999/);
    await expect(stack.client.importSession(`${run}-import:x`, { ...document, items: [...document.items].reverse() })).rejects.toThrow(InvalidInputError);
    const orphan = { seq: document.lastSeq, agent: 'support', at: document.items[0].at, item: { type: 'function_call_output' as const, call_id: 'call_x', output: 'x' } };
    const orphaned = { ...document, items: [...document.items.slice(0, -1), orphan], window: [] };
    await expect(stack.client.importSession(`${run}-import:o`, orphaned)).rejects.toThrow('function_call_output call_x has no function_call before it in the session');
    const { rows } = await stack.db.pool.query('SELECT count(*)::integer AS staged FROM session_imports');
    expect(rows[0].staged).toBe(0);
  });

  test('the export, import and fork commands', async () => {
    const env = { DATABASE_URL: stack.db.url, TEMPORAL_ADDRESS: stack.temporal.address, AGENT_SESSIONS_TASK_QUEUE: stack.taskQueue };
    const source = `${run}-cli:source`;
    await stack.client.send(source, unicode);
    await stack.client.send(source, 'Second');
    const exported = await runCli(['export', '--session', source], env);
    expect(exported.code).toBe(0);
    const file = path.join(await mkdtemp(path.join(tmpdir(), 'export-')), 'session.json');
    await writeFile(file, exported.stdout);
    expect(await runCli(['import', '--session', `${run}-cli:copy`, file], env)).toMatchObject({ code: 0, stdout: `imported 4 items into session ${run}-cli:copy\n` });
    expect(await stack.client.items(`${run}-cli:copy`)).toEqual(await stack.client.items(source));
    expect(await runCli(['fork', '--session', source, '--to', `${run}-cli:fork`, '--turn', '1'], env)).toMatchObject({
      code: 0,
      stdout: `forked ${source} into ${run}-cli:fork with 2 items\n`,
    });
    expect(await runCli(['import', '--session', `${run}-cli:bad`, '-'], env, '{"format":"nope"}')).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('not a session document'),
    });
  });
});
