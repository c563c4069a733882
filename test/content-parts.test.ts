/**
 * Big content stays out of Temporal's history: images and files of megabytes, sent through the
 * library, the HTTP API and the CLI, are stored once in Postgres and travel as references; the turn
 * answers, the history stays small, the items come back exactly as given; deleting the session
 * removes its parts; an encrypted projection stores them sealed; bad input is refused with a typed
 * error and changes nothing. On a real stack.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { SessionsClient } from '../src/client/sessions-client';
import { parseKeyRing } from '../src/codec/key-ring';
import { startHttpServer, type RunningHttpServer } from '../src/server/http-server';
import { CONTENT_REF_PREFIX } from '../src/shared/content-parts';
import { ContentMissingError, EncryptionKeyError, InvalidInputError } from '../src/shared/errors';
import { countContentParts } from '../src/postgres/content-parts';
import { runCli } from './support/cli';
import { startTestStack, type TestStack } from './support/stack';

const MB = 1_000_000;

/** A PNG's bytes (its signature, then noise) of `bytes` length, as a data URL. */
function pngDataUrl(bytes: number): string {
  const body = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), randomBytes(bytes - 8)]);
  return `data:image/png;base64,${body.toString('base64')}`;
}

const imageMessage = (text: string, ...urls: string[]) => ({
  input: [{ type: 'input_text', text }, ...urls.map((url) => ({ type: 'input_image', image_url: url }))],
});

let stack: TestStack;
let counter = 0;
const newSession = (kind: string) => `parts-${++counter}:${kind}`;

beforeAll(async () => {
  stack = await startTestStack();
});

afterAll(async () => {
  await stack?.stop();
});

/** The bytes of the session's current run's event history, as Temporal describes it. */
async function historyBytes(sessionId: string): Promise<number> {
  const description = await stack.client.temporalHandle(sessionId).describe();
  return Number(description.raw.workflowExecutionInfo?.historySizeBytes ?? 0);
}

async function partsOf(sessionId: string) {
  return countContentParts(stack.db.pool, sessionId);
}

describe('the library', () => {
  test('a 5 MB image answers, stays out of the history, and comes back exactly', async () => {
    const session = newSession('five-mb');
    const image = pngDataUrl(5 * MB);
    const text = await stack.client.send(session, 'Hello there');
    const afterText = await historyBytes(session);
    const textStarted = Date.now();
    await stack.client.send(session, 'And now?');
    const textTurnMs = Date.now() - textStarted;
    const afterSecondText = await historyBytes(session);

    const imageStarted = Date.now();
    const turn = await stack.client.send(session, imageMessage('What is this?', image));
    const imageTurnMs = Date.now() - imageStarted;
    const afterImage = await historyBytes(session);

    expect(text.reply).toBeTruthy();
    expect(turn.reply).toMatch(/I see 1 image/);
    expect(afterImage).toBeLessThan(200_000);
    expect(afterImage - afterSecondText).toBeLessThan(50_000);
    // The turn's result and the projection give the image back exactly as it was given.
    expect(turn.items[0].item).toEqual({
      type: 'message',
      role: 'user',
      content: [
        { type: 'input_text', text: 'What is this?' },
        { type: 'input_image', image_url: image },
      ],
    });
    const items = await stack.client.items(session);
    expect(items.find((entry) => entry.seq === turn.items[0].seq)?.item).toEqual(turn.items[0].item);
    // What Temporal holds (the query's tail) refers to the image; the library resolves it.
    const raw = await stack.client.temporalHandle(session).query<{ item: unknown }[], [{ limit?: number }]>('getItems', { limit: 2 });
    expect(JSON.stringify(raw)).toContain(CONTENT_REF_PREFIX);
    expect(JSON.stringify(raw)).not.toContain(image.slice(30, 200));
    expect((await stack.client.workflowItems(session, { limit: 2 }))[0].item).toEqual(turn.items[0].item);
    expect(await partsOf(session)).toEqual({ parts: 1, chars: image.length });

    // A second message with the same image stores nothing new (content-addressed).
    const again = await stack.client.send(session, imageMessage('Same one again', image));
    expect(again.reply).toMatch(/I see 1 image/);
    expect((await partsOf(session)).parts).toBe(1);
    console.log(
      `measure: text turn +${afterSecondText - afterText} history bytes in ${textTurnMs} ms; ` +
        `5 MB image turn +${afterImage - afterSecondText} history bytes in ${imageTurnMs} ms; history after: ${afterImage} bytes`,
    );
  });

  test('twenty 1 MB images in one session work, and deleting the session removes their parts', async () => {
    const session = newSession('twenty');
    for (let message = 0; message < 4; message++) {
      const urls = Array.from({ length: 5 }, () => pngDataUrl(1 * MB));
      const turn = await stack.client.send(session, imageMessage(`Batch ${message}`, ...urls));
      expect(turn.reply).toMatch(/I see 5 images/);
    }
    expect((await partsOf(session)).parts).toBe(20);
    expect(await historyBytes(session)).toBeLessThan(300_000);
    const items = await stack.client.items(session);
    expect(JSON.stringify(items)).not.toContain(CONTENT_REF_PREFIX);

    await stack.client.deleteSession(session);
    expect(await partsOf(session)).toEqual({ parts: 0, chars: 0 });
  });

  test('addItems, replaceSuffix (compared by content), popItem, export and fork keep images as given', async () => {
    const session = newSession('operations');
    const image = pngDataUrl(200_000);
    const file = `data:application/pdf;base64,${randomBytes(90_000).toString('base64')}`;
    const user = {
      type: 'message',
      role: 'user',
      content: [
        { type: 'input_image', image_url: image },
        { type: 'input_file', filename: 'report.pdf', file_data: file },
      ],
    };
    const added = await stack.client.addItems(session, [user]);
    expect(added[0].item).toEqual(user);
    expect((await partsOf(session)).parts).toBe(2);

    const reply = { type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'A picture and a report.' }] };
    const replaced = await stack.client.replaceSuffix(session, [user], [user, reply]);
    expect(replaced.map((entry) => entry.item)).toEqual([user, reply]);

    const document = await stack.client.exportSession(session);
    expect(document.items.map((entry) => entry.item)).toEqual([user, reply]);
    await stack.client.forkSession(session, `${session}:fork`);
    expect((await stack.client.items(`${session}:fork`)).map((entry) => entry.item)).toEqual([user, reply]);
    expect((await partsOf(`${session}:fork`)).parts).toBe(2);
    const turn = await stack.client.send(`${session}:fork`, 'What did I send?');
    expect(turn.reply).toBeTruthy();

    expect((await stack.client.popItem(session))?.item).toEqual(reply);
    expect((await stack.client.popItem(session))?.item).toEqual(user);
    // Pop leaves the parts until the session is deleted (another item may share them).
    expect((await partsOf(session)).parts).toBe(2);
  });

  test('a part gone from Postgres fails the turn with ContentMissingError', async () => {
    const session = newSession('gone');
    await stack.client.send(session, imageMessage('Look', pngDataUrl(100_000)));
    await stack.db.pool.query('DELETE FROM content_parts WHERE session_id = $1', [session]);
    await expect(stack.client.send(session, 'And?')).rejects.toBeInstanceOf(ContentMissingError);
    await expect(stack.client.items(session)).rejects.toThrow(/gone from the projection/);
  });

  test('a model that answers a string looking like a reference (asked to repeat one) neither breaks the session nor reveals a part', async () => {
    const session = newSession('echoed-ref');
    const image = pngDataUrl(100_000);
    await stack.client.send(session, imageMessage('Look', image));
    const [{ sha256 }] = (await stack.db.pool.query('SELECT sha256 FROM content_parts WHERE session_id = $1', [session])).rows as { sha256: string }[];
    const missing = `${CONTENT_REF_PREFIX}${'0'.repeat(64)}`;
    const stored = `${CONTENT_REF_PREFIX}${sha256}`;
    stack.model.enqueue({ text: missing }, { text: stored });
    expect((await stack.client.send(session, 'Repeat the first string')).reply).toBe(missing);
    expect((await stack.client.send(session, 'Repeat the second string')).reply).toBe(stored);
    const items = await stack.client.items(session);
    expect(items.slice(-3).map((entry) => entry.item)).toEqual([
      { type: 'message', role: 'assistant', content: missing },
      { type: 'message', role: 'user', content: 'Repeat the second string' },
      { type: 'message', role: 'assistant', content: stored },
    ]);
    expect(JSON.stringify(items.slice(-3))).not.toContain('data:image');
    expect((await stack.client.send(session, 'And now?')).reply).toBeTruthy();
  });

  test('a session whose items, context or labels hold a string looking like a reference forks and imports as it is', async () => {
    const session = newSession('ref-context');
    const lookalike = `${CONTENT_REF_PREFIX}${'0'.repeat(64)}`;
    await stack.client.send(session, 'Hello', { context: { note: lookalike }, labels: { ref: lookalike } });
    stack.model.enqueue({ text: lookalike });
    await stack.client.send(session, 'Repeat it');
    const fork = newSession('ref-context-fork');
    await stack.client.forkSession(session, fork);
    expect(await stack.client.context(fork)).toEqual({ note: lookalike });
    expect((await stack.client.items(fork)).map((entry) => entry.item)).toEqual((await stack.client.items(session)).map((entry) => entry.item));
  });

  test('bad input gets InvalidInputError with the reason, and stores nothing', async () => {
    const session = newSession('bad');
    await stack.client.send(session, 'Hi');
    const before = (await stack.client.items(session)).length;
    const cases: [unknown, RegExp][] = [
      [imageMessage('too big', pngDataUrl(21 * 1024 * 1024)), /an image of \d+ bytes is over the limit of 20971520 bytes/],
      [imageMessage('bmp', `data:image/bmp;base64,${randomBytes(30_000).toString('base64')}`), /an image of type image\/bmp is not supported/],
      [imageMessage('malformed', `data:image/png;base64,${'@'.repeat(40_000)}`), /not valid base64/],
      [imageMessage('fifty', pngDataUrl(18 * MB), pngDataUrl(18 * MB), pngDataUrl(18 * MB)), /over the limit of 52428800 bytes \(50 MiB\)/],
      [imageMessage('ref', `${CONTENT_REF_PREFIX}${'a'.repeat(64)}`), /reserved/],
      [
        {
          input: [
            { type: 'input_text', text: 'mixed' },
            { type: 'message', role: 'user', content: 'x' },
          ],
        },
        /either content parts/,
      ],
    ];
    for (const [message, reason] of cases) {
      const error = await stack.client.send(session, message as never).catch((thrown: unknown) => thrown);
      expect(error).toBeInstanceOf(InvalidInputError);
      expect((error as Error).message).toMatch(reason);
    }
    await expect(stack.client.addItems(session, [{ type: 'message', role: 'user', content: `${CONTENT_REF_PREFIX}${'b'.repeat(64)}` }])).rejects.toThrow(/reserved/);
    expect((await stack.client.items(session)).length).toBe(before);
    expect((await partsOf(session)).parts).toBe(0);
  });
});

describe('the HTTP API', () => {
  let server: RunningHttpServer;
  beforeAll(async () => {
    server = await startHttpServer({ client: stack.client });
  });
  afterAll(async () => {
    await server?.close();
  });

  async function call(method: string, route: string, body?: string) {
    const response = await fetch(`${server.url}${route}`, { method, headers: { 'content-type': 'application/json' }, ...(body ? { body } : {}) });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> & { error?: { type: string; message: string } } };
  }
  const at = (id: string) => `/v1/sessions/${encodeURIComponent(id)}`;

  test('a 5 MB image in a message answers, and the items route gives it back exactly', async () => {
    const session = newSession('http');
    const image = pngDataUrl(5 * MB);
    const sent = await call('POST', `${at(session)}/messages`, JSON.stringify(imageMessage('What is this?', image)));
    expect(sent.status).toBe(200);
    expect(sent.body.reply).toMatch(/I see 1 image/);
    const items = await call('GET', `${at(session)}/items`);
    expect((items.body.items as { item: unknown }[])[0].item).toEqual({ type: 'message', role: 'user', content: imageMessage('What is this?', image).input });
    expect(await historyBytes(session)).toBeLessThan(200_000);
  });

  test('bad parts are a 400 with the reason; a body over 32 MiB is a 413 that says how to raise the limit', async () => {
    const session = newSession('http-bad');
    const bmp = await call('POST', `${at(session)}/messages`, JSON.stringify(imageMessage('bmp', `data:image/bmp;base64,${randomBytes(30_000).toString('base64')}`)));
    expect(bmp).toMatchObject({ status: 400, body: { error: { type: 'InvalidInputError', message: expect.stringMatching(/image\/bmp is not supported/) } } });
    const huge = await call('POST', `${at(session)}/messages`, JSON.stringify({ text: 'x'.repeat(33 * 1024 * 1024) }));
    expect(huge.status).toBe(413);
    expect(huge.body.error?.message).toMatch(/33554432 bytes.*--max-message-bytes/);
    const other = await call('PATCH', `${at(session)}/context`, JSON.stringify({ patch: { note: 'x'.repeat(1_100_000) } }));
    expect(other.status).toBe(413);
    expect(other.body.error?.message).toMatch(/1048576 bytes/);
  });
});

describe('the CLI', () => {
  test('send --image sends a file as a data URL; history labels it; a bad path or extension is exit 2', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'agent-sessions-parts-'));
    try {
      const png = path.join(dir, 'photo.png');
      const bytes = Buffer.from(pngDataUrl(300_000).split(',')[1], 'base64');
      await writeFile(png, bytes);
      await writeFile(path.join(dir, 'photo.bmp'), bytes);
      await writeFile(path.join(dir, 'report.pdf'), randomBytes(20_000));
      const session = newSession('cli');
      const env = { DATABASE_URL: stack.db.url, TEMPORAL_ADDRESS: stack.temporal.address, AGENT_SESSIONS_TASK_QUEUE: stack.taskQueue };
      const sent = await runCli(['send', '--session', session, '--image', png, '--file', path.join(dir, 'report.pdf'), 'What is this?'], env);
      expect(sent).toMatchObject({ code: 0, stdout: expect.stringMatching(/I see 1 image and 1 file \(report\.pdf\)/) });
      const items = await stack.client.items(session);
      expect((items[0].item as { content: { image_url?: string }[] }).content[1].image_url).toBe(`data:image/png;base64,${bytes.toString('base64')}`);
      const history = await runCli(['history', '--session', session], env);
      expect(history.stdout).toMatch(/What is this\? \[image\] \[file report\.pdf\]/);

      const bmp = await runCli(['send', '--session', session, '--image', path.join(dir, 'photo.bmp'), 'x'], env);
      expect(bmp).toMatchObject({ code: 2, stderr: expect.stringMatching(/^error: --image .*photo\.bmp: the extension \.bmp is not supported/) });
      const missing = await runCli(['send', '--session', session, '--image', path.join(dir, 'nothing.png'), 'x'], env);
      expect(missing).toMatchObject({ code: 2, stderr: expect.stringMatching(/^error: --image .*nothing\.png: cannot read it \(ENOENT\)/) });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('an encrypted projection', () => {
  test('stores the part sealed, opens it back, and refuses altered ciphertext with EncryptionKeyError', async () => {
    const keys = parseKeyRing(`k1:${randomBytes(32).toString('base64')}`);
    const sealed = await startTestStack({ encryptionKeys: keys, encryptProjection: true, temporal: undefined });
    try {
      const session = newSession('sealed');
      const image = pngDataUrl(1 * MB);
      const turn = await sealed.client.send(session, imageMessage('What is this?', image));
      expect(turn.reply).toMatch(/I see 1 image/);
      const { rows } = await sealed.db.pool.query('SELECT content, sealed FROM content_parts WHERE session_id = $1', [session]);
      expect(rows).toHaveLength(1);
      expect(rows[0].sealed).toBe(true);
      expect(rows[0].content).not.toContain(image.slice(100, 400));
      expect((await sealed.client.items(session))[0].item).toMatchObject({ content: [{}, { image_url: image }] });

      const flipped = rows[0].content.slice(0, -10) + (rows[0].content.slice(-10, -9) === 'A' ? 'B' : 'A') + rows[0].content.slice(-9);
      await sealed.db.pool.query('UPDATE content_parts SET content = $2 WHERE session_id = $1', [session, flipped]);
      await expect(sealed.client.items(session)).rejects.toBeInstanceOf(EncryptionKeyError);
      const keyless = await SessionsClient.connect({ databaseUrl: sealed.db.url });
      await expect(keyless.items(session)).rejects.toBeInstanceOf(EncryptionKeyError);
      await keyless.close();
    } finally {
      await sealed.stop();
    }
  });
});
