/**
 * Encryption at rest: every Temporal payload is sealed with AES-256-GCM by the one data converter the
 * worker, the client, the CLI and the replay tests share; keys rotate (a new key encrypts, old keys
 * still decrypt); the codec server lets the Temporal UI read histories. The dev server's own SQLite
 * file holds no user text, and with the projection sealed too, neither do the projection's tables, while
 * the library reads them as before.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import { Worker } from '@temporalio/worker';
import { createDataConverter } from '../src/codec/data-converter';
import { EncryptionCodec, ENCRYPTED_ENCODING, KEY_ID_METADATA } from '../src/codec/encryption-codec';
import { parseKeyRing } from '../src/codec/key-ring';
import { EncryptionKeyError, InvalidInputError } from '../src/client/errors';
import { SessionsClient } from '../src/client/sessions-client';
import { startCodecServer } from '../src/codec/codec-server';
import { defineAgent, defineTool } from '../src/agents';
import { supportAgent } from '../src/dev/demo-agent';
import { z } from 'zod';
import { runCli } from './support/cli';
import { everyRowAsText } from './support/database';
import { startTestStack, type TestStack } from './support/stack';
import { sessionMetricsSinks } from '../src/worker/metrics-sinks';

const keyText = (id: string) => `${id}:${randomBytes(32).toString('base64')}`;
const OLD = keyText('k2025');
const NEW = keyText('k2026');
const SECRET = 'my passport number is XK93-SECRET-7781';

let stack: TestStack;
let dataDir: string;

/** A tool whose first call fails with the user's text in its error. */
let lookupCalls = 0;
const passportLookup = defineTool({
  name: 'passport_lookup',
  description: 'Looks a passport up.',
  parameters: z.object({ number: z.string() }),
  execute: ({ number }) => {
    lookupCalls += 1;
    if (lookupCalls === 1) throw new Error(`the registry timed out looking up ${number}`);
    return `passport ${number} is valid`;
  },
});
const registry = defineAgent({ name: 'registry', instructions: 'You check passports.', tools: [passportLookup] });

/** The dev server's SQLite files, as bytes. */
async function temporalDatabaseBytes(): Promise<Buffer> {
  const files = (await readdir(dataDir)).filter((file) => file.startsWith('temporal.sqlite'));
  return Buffer.concat(await Promise.all(files.map((file) => readFile(path.join(dataDir, file)))));
}

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'agent-sessions-encrypted-'));
  stack = await startTestStack({
    agents: [supportAgent, registry],
    encryptionKeys: parseKeyRing(OLD),
    encryptProjection: true,
    temporalDbFile: path.join(dataDir, 'temporal.sqlite'),
  });
});

afterAll(async () => {
  await stack?.stop();
});

describe('the key ring', () => {
  it('refuses keys without an id, of the wrong length, or given twice, without echoing key material', () => {
    const material = randomBytes(32).toString('base64');
    for (const [text, reason] of [
      [material, /needs an id/],
      ['short:c2hvcnQ=', /must be 32 bytes/],
      [`${OLD},${OLD}`, /given twice/],
      ['', /no encryption keys/],
    ] as const) {
      const error = (() => {
        try {
          parseKeyRing(text);
        } catch (thrown) {
          return thrown as Error;
        }
      })();
      expect(error).toBeInstanceOf(InvalidInputError);
      expect(error?.message).toMatch(reason);
      expect(error?.message).not.toContain(material);
    }
  });

  it('rotates: the new key encrypts, the old one still decrypts, and a ring without it says which key is missing', async () => {
    const payload = defaultPayloadConverter.toPayload({ text: SECRET });
    const [sealedOld] = await new EncryptionCodec(parseKeyRing(OLD)).encode([payload]);
    expect(Buffer.from(sealedOld.metadata?.[KEY_ID_METADATA] ?? []).toString()).toBe('k2025');
    expect(Buffer.from(sealedOld.data ?? []).toString('latin1')).not.toContain('XK93');

    const rotated = new EncryptionCodec(parseKeyRing(`${NEW},${OLD}`));
    expect(defaultPayloadConverter.fromPayload(await rotated.decode([sealedOld]).then(([plain]) => plain))).toEqual({ text: SECRET });
    const [sealedNew] = await rotated.encode([payload]);
    expect(Buffer.from(sealedNew.metadata?.[KEY_ID_METADATA] ?? []).toString()).toBe('k2026');
    expect(Buffer.from(sealedNew.metadata?.encoding ?? []).toString()).toBe(ENCRYPTED_ENCODING);

    await expect(new EncryptionCodec(parseKeyRing(NEW)).decode([sealedOld])).rejects.toThrow(EncryptionKeyError);
    const flipped = Buffer.from(sealedNew.data ?? []);
    flipped[20] ^= 0xff;
    const tampered = { ...sealedNew, data: flipped };
    await expect(rotated.decode([tampered])).rejects.toThrow();
  });
});

describe('an encrypted stack', () => {
  it("talks with a client holding the keys, while the dev server's database file holds no user text", async () => {
    const sessionId = 'encrypted:ada';
    const turn = await stack.client.send(sessionId, SECRET, { context: { note: 'XK93 on file' } });
    expect(turn.reply).toContain('XK93-SECRET-7781');
    expect(await stack.client.context(sessionId)).toEqual({ note: 'XK93 on file' });

    const bytes = await temporalDatabaseBytes();
    expect(bytes.includes(Buffer.from(sessionId))).toBe(true);
    expect(bytes.includes(Buffer.from(ENCRYPTED_ENCODING))).toBe(true);
    expect(bytes.includes(Buffer.from('XK93'))).toBe(false);
  });

  it("seals failure messages too: a tool's error holding the user's text never reaches the dev server's file in plaintext", async () => {
    stack.model.enqueue({ toolCalls: [{ name: 'passport_lookup', arguments: { number: 'XK93-SECRET-7781' } }] }, { text: 'It is valid.' });
    const turn = await stack.client.send('encrypted:failing-tool', 'Is my passport valid?', { agent: 'registry' });
    expect(turn.reply).toBe('It is valid.');
    expect(lookupCalls).toBe(2);
    expect((await temporalDatabaseBytes()).includes(Buffer.from('XK93'))).toBe(false);
  });

  it('refuses a client without the keys with what to set: it cannot read what the session holds', async () => {
    const keyless = await SessionsClient.connect({ temporalAddress: stack.temporal.address, taskQueue: stack.taskQueue });
    try {
      const error = await keyless.context('encrypted:ada').catch((thrown: unknown) => thrown);
      expect(error).toBeInstanceOf(EncryptionKeyError);
      expect((error as Error).message).toMatch(/encrypted \(key "k2025"\): set AGENT_SESSIONS_ENCRYPTION_KEYS/);
    } finally {
      await keyless.close();
    }
  });

  it('replays its recorded history with the same data converter', async () => {
    const connection = await Connection.connect({ address: stack.temporal.address });
    try {
      const history = await new Client({ connection }).workflow.getHandle('encrypted:ada').fetchHistory();
      const result = await Worker.runReplayHistory(
        { workflowBundle: stack.bundle, dataConverter: createDataConverter(parseKeyRing(OLD)), sinks: sessionMetricsSinks('') },
        history,
        'encrypted:ada',
      );
      expect(result).toBeUndefined();
    } finally {
      await connection.close();
    }
  });

  it('works from the CLI with the keys in AGENT_SESSIONS_ENCRYPTION_KEYS, after a rotation', async () => {
    const env = { TEMPORAL_ADDRESS: stack.temporal.address, DATABASE_URL: stack.db.url, AGENT_SESSIONS_TASK_QUEUE: stack.taskQueue };
    const read = await runCli(['context', '--session', 'encrypted:ada'], { ...env, AGENT_SESSIONS_ENCRYPTION_KEYS: `${NEW},${OLD}` });
    expect(read).toMatchObject({ code: 0, stdout: expect.stringContaining('XK93 on file') });
    const bad = await runCli(['context', '--session', 'encrypted:ada'], { ...env, AGENT_SESSIONS_ENCRYPTION_KEYS: 'nokey' });
    expect(bad).toMatchObject({ code: 2, stderr: expect.stringContaining('needs an id') });
  });

  it('serves a codec endpoint that decodes for the Temporal UI, behind its token', async () => {
    const [sealed] = await new EncryptionCodec(parseKeyRing(OLD)).encode([defaultPayloadConverter.toPayload(SECRET)]);
    const codec = await startCodecServer({ codec: new EncryptionCodec(parseKeyRing(`${NEW},${OLD}`)), token: 'ui-token' });
    try {
      const body = JSON.stringify({
        payloads: [
          {
            metadata: Object.fromEntries(Object.entries(sealed.metadata ?? {}).map(([key, value]) => [key, Buffer.from(value).toString('base64')])),
            data: Buffer.from(sealed.data ?? []).toString('base64'),
          },
        ],
      });
      const refused = await fetch(`${codec.url}/decode`, { method: 'POST', body, headers: { 'content-type': 'application/json' } });
      expect(refused.status).toBe(401);
      const decoded = await fetch(`${codec.url}/decode`, { method: 'POST', body, headers: { 'content-type': 'application/json', authorization: 'Bearer ui-token' } });
      expect(decoded.headers.get('access-control-allow-origin')).toBe('http://localhost:8233');
      const [plain] = ((await decoded.json()) as { payloads: Array<{ data: string }> }).payloads;
      expect(JSON.parse(Buffer.from(plain.data, 'base64').toString('utf8'))).toBe(SECRET);
    } finally {
      await codec.close();
    }
  });
});

describe('a sealed projection', () => {
  it('holds no user text in any table, while items, streams, memories, exports and forks read back in plaintext', async () => {
    const sessionId = 'sealed:bo';
    await stack.client.send(sessionId, `${SECRET} (first)`, { userId: 'bo' });
    const streamed: string[] = [];
    for await (const event of stack.client.stream(sessionId, `${SECRET} (streamed)`)) if (event.type === 'text') streamed.push(event.delta);
    expect(streamed.join('')).toContain('XK93-SECRET-7781');
    await stack.client.addMemory('bo', { key: 'passport', text: 'passport XK93-SECRET-7781' });
    await stack.client.forkSession(sessionId, 'sealed:bo-fork');

    const { tables, text: dump } = await everyRowAsText(stack.db.pool);
    expect(tables).toEqual(expect.arrayContaining(['items', 'memories', 'stream_events', 'sessions']));
    expect(dump).toContain(sessionId);
    expect(dump).toContain('$sealed');
    expect(dump).not.toContain('XK93');

    const texts = (await stack.client.items(sessionId)).map((entry) => JSON.stringify(entry.item));
    expect(texts.filter((text) => text.includes('XK93-SECRET-7781 (first)'))).toHaveLength(2);
    expect((await stack.client.items('sealed:bo-fork')).map((entry) => entry.item)).toEqual((await stack.client.items(sessionId)).map((entry) => entry.item));
    expect((await stack.client.listMemories('bo')).map((memory) => memory.text)).toEqual(['passport XK93-SECRET-7781']);
    expect(JSON.stringify(await stack.client.exportSession(sessionId))).toContain('XK93-SECRET-7781 (streamed)');
    await stack.client.addItems(sessionId, [
      { type: 'function_call', call_id: 'w1', name: 'weather', arguments: '{"city":"XK93"}' },
      { type: 'function_call', call_id: 'w2', name: 'weather', arguments: '{}' },
      { type: 'function_call_output', call_id: 'w2', output: 'sun' },
      { type: 'function_call_output', call_id: 'w1', output: 'rain' },
    ]);
    expect((await stack.client.popItem(sessionId))?.item).toEqual({ type: 'function_call_output', call_id: 'w1', output: 'rain' });
    expect((await stack.client.items(sessionId, { limit: 2 })).map((entry) => entry.item.type === 'function_call' && entry.item.call_id)).toEqual(['w2', false]);
  });

  it('still reads rows written before sealing was switched on, and a process without the keys can neither write nor read', async () => {
    const plain = await SessionsClient.connect({ temporalAddress: stack.temporal.address, databaseUrl: stack.db.url, taskQueue: stack.taskQueue });
    try {
      await stack.db.pool.query("INSERT INTO memories (user_id, text, text_sealed) VALUES ('cy', 'written in plaintext', false)");
      await expect(plain.addMemory('cy', { text: 'from a keyless process' })).rejects.toThrow(EncryptionKeyError);
      await stack.client.addMemory('cy', { text: 'written sealed' });
      expect((await stack.client.listMemories('cy')).map((memory) => memory.text).sort()).toEqual(['written in plaintext', 'written sealed']);
      const error = await plain.listMemories('cy').catch((thrown: unknown) => thrown);
      expect(error).toBeInstanceOf(EncryptionKeyError);
      expect((error as Error).message).toMatch(/current key "k2025"\): set AGENT_SESSIONS_ENCRYPTION_KEYS/);
    } finally {
      await plain.close();
    }
  });

  it('seals the items of an import as the worker does, whatever the client that staged them does', async () => {
    const unsealing = await SessionsClient.connect({
      temporalAddress: stack.temporal.address,
      databaseUrl: stack.db.url,
      taskQueue: stack.taskQueue,
      encryptionKeys: parseKeyRing(OLD),
    });
    try {
      await unsealing.forkSession('sealed:bo', 'sealed:bo-fork-2');
    } finally {
      await unsealing.close();
    }
    const { rows } = await stack.db.pool.query<{ item: string }>('SELECT item::text AS item FROM items WHERE session_id = $1', ['sealed:bo-fork-2']);
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) expect(row.item).toMatch(/^\{"\$sealed": "k2025:/);
    expect((await stack.client.items('sealed:bo-fork-2')).map((entry) => entry.item)).toEqual((await stack.client.items('sealed:bo')).map((entry) => entry.item));
  });

  it('refuses to seal without keys, with what to set', async () => {
    await expect(SessionsClient.connect({ databaseUrl: stack.db.url, encryptProjection: true })).rejects.toThrow(/AGENT_SESSIONS_ENCRYPTION_KEYS/);
  });
});
