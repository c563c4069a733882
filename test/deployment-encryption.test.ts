/**
 * The deployment's encryption is one setting, recorded in the database by the worker: a client without
 * the keys (or without the current one) is refused before anything is recorded anywhere; the worker
 * refuses plaintext payloads without blocking a session; memories are sealed whoever writes them; a
 * removed key is named by every command; `reseal` rewrites the projection under the current key.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { parseKeyRing, type KeyRing } from '../src/codec/key-ring';
import { BackendUnavailableError, EncryptionKeyError, SessionNotFoundError, WorkerUnavailableError } from '../src/client/errors';
import { SessionsClient } from '../src/client/sessions-client';
import { sendMessageUpdate, userMessageSignal } from '../src/shared/messages';
import { startWorker, type RunningWorker } from '../src/worker/run-worker';
import { OFFLINE_MODEL_ID } from '../src/offline-model/wire';
import { supportAgent } from '../src/dev/demo-agent';
import { runCli } from './support/cli';
import { everyRowAsText } from './support/database';
import { startTestStack, type TestStack } from './support/stack';

const keyText = (id: string) => `${id}:${randomBytes(32).toString('base64')}`;
const OLD = keyText('k2025');
const NEW = keyText('k2026');

let stack: TestStack;
let dataDir: string;
const extraWorkers: RunningWorker[] = [];
const clients: SessionsClient[] = [];

async function temporalDatabaseBytes(): Promise<Buffer> {
  const files = (await readdir(dataDir)).filter((file) => file.startsWith('temporal.sqlite'));
  return Buffer.concat(await Promise.all(files.map((file) => readFile(path.join(dataDir, file)))));
}

async function client(keys?: KeyRing, encryptProjection = false): Promise<SessionsClient> {
  const made = await SessionsClient.connect({
    temporalAddress: stack.temporal.address,
    databaseUrl: stack.db.url,
    taskQueue: stack.taskQueue,
    encryptionKeys: keys,
    encryptProjection,
  });
  clients.push(made);
  return made;
}

function worker(keys: KeyRing | undefined): Promise<RunningWorker> {
  return startWorker(
    {
      temporalAddress: stack.temporal.address,
      namespace: 'default',
      taskQueue: stack.taskQueue,
      databaseUrl: stack.db.url,
      model: { baseURL: stack.model.baseURL, apiKey: 'offline', defaultModel: OFFLINE_MODEL_ID },
      workflowBundle: stack.bundle,
      agents: [supportAgent],
      encryptionKeys: keys,
    },
    stack.db.pool,
  ).then((running) => {
    extraWorkers.push(running);
    return running;
  });
}

async function refusal(call: Promise<unknown>): Promise<Error> {
  const outcome = await call.then(
    () => undefined,
    (error: unknown) => error as Error,
  );
  if (!outcome) throw new Error('expected a refusal, the call succeeded');
  return outcome;
}

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'agent-sessions-deployment-'));
  stack = await startTestStack({ encryptionKeys: parseKeyRing(OLD), encryptProjection: true, temporalDbFile: path.join(dataDir, 'temporal.sqlite') });
  await stack.client.send('enc:one', 'hello');
});

afterAll(async () => {
  for (const made of clients) await made.close().catch(() => undefined);
  for (const running of extraWorkers) await running.stop().catch(() => undefined);
  await stack?.stop();
});

describe('an encrypted deployment', () => {
  it('refuses a client without the keys, or without the current key, before anything is recorded', async () => {
    const keyless = await client();
    const wrongRing = await client(parseKeyRing(NEW));
    for (const [who, other] of [
      ['nokey', keyless],
      ['wrongring', wrongRing],
    ] as const) {
      const calls = [
        other.send('enc:one', `hello-${who}`),
        other.send(`enc:new-${who}`, `hello-${who}-new`),
        other.signal('enc:one', `hello-${who}-signal`),
        other.addItems('enc:one', [{ type: 'message', role: 'user', content: `hello-${who}-item` }]),
        other.addMemory('ada', { text: `hello-${who}-memory` }),
        other.status('enc:one'),
        other.items('enc:one'),
      ];
      for (const call of calls) {
        const error = await refusal(call);
        expect(error).toBeInstanceOf(EncryptionKeyError);
        expect(error.message).toContain('"k2025"');
      }
    }
    await expect(stack.client.status('enc:new-nokey')).rejects.toBeInstanceOf(SessionNotFoundError);
    expect((await stack.client.items('enc:one')).length).toBe(2);
    const bytes = await temporalDatabaseBytes();
    const { text: dump } = await everyRowAsText(stack.db.pool);
    for (const who of ['nokey', 'wrongring']) {
      expect(bytes.includes(Buffer.from(`hello-${who}`))).toBe(false);
      expect(dump).not.toContain(`hello-${who}`);
    }
  });

  it('refuses the CLI without the keys with exit 2 naming the key, and runs nothing', async () => {
    const env = { TEMPORAL_ADDRESS: stack.temporal.address, DATABASE_URL: stack.db.url, AGENT_SESSIONS_TASK_QUEUE: stack.taskQueue, AGENT_SESSIONS_ENCRYPTION_KEYS: '' };
    const sent = await runCli(['send', '--session', 'enc:one', 'hello-nokey-cli'], env);
    expect(sent.code).toBe(2);
    expect(sent.stderr).toContain('"k2025"');
    expect(sent.stderr).toContain('AGENT_SESSIONS_ENCRYPTION_KEYS');
    expect((await stack.client.items('enc:one')).length).toBe(2);
    expect((await temporalDatabaseBytes()).includes(Buffer.from('hello-nokey-cli'))).toBe(false);
  });

  it('seals a memory whoever adds it: the recorded setting decides, not the process', async () => {
    const unsealing = await client(parseKeyRing(OLD), false);
    await unsealing.addMemory('bo', { key: 'm', text: 'memory-from-an-unsealing-client' });
    const { rows } = await stack.db.pool.query<{ text_sealed: boolean; text: string }>("SELECT text_sealed, text FROM memories WHERE user_id = 'bo'");
    expect(rows).toEqual([expect.objectContaining({ text_sealed: true })]);
    expect(rows[0].text).not.toContain('memory-from');
    expect((await unsealing.listMemories('bo')).map((memory) => memory.text)).toEqual(['memory-from-an-unsealing-client']);
  });

  it('refuses plaintext payloads at the worker without blocking the session', async () => {
    const connection = await Connection.connect({ address: stack.temporal.address });
    try {
      const raw = new Client({ connection }).workflow.getHandle('enc:one');
      // Refused by the validator (its failure is encrypted, so this codec-less client cannot even read why).
      await refusal(raw.executeUpdate(sendMessageUpdate, { args: [{ id: randomUUID(), text: 'plain-update' }] }));
      await raw.signal(userMessageSignal, { id: randomUUID(), text: 'plain-signal' });
    } finally {
      await connection.close();
    }
    const turn = await stack.client.send('enc:one', 'after the plaintext');
    expect(turn.reply).toBeTruthy();
    const texts = JSON.stringify(await stack.client.items('enc:one'));
    expect(texts).not.toContain('plain-update');
    expect(texts).not.toContain('plain-signal');
    expect((await temporalDatabaseBytes()).includes(Buffer.from('plain-update'))).toBe(false);
  });

  it('refuses to start a worker without keys against the encrypted database', async () => {
    const error = await refusal(worker(undefined));
    expect(error).toBeInstanceOf(EncryptionKeyError);
    expect(error.message).toMatch(/"k2025".*AGENT_SESSIONS_ALLOW_PLAINTEXT=true/);
  });

  it('re-seals the projection after a rotation, so that removing the old key leaves every read working and every command naming it', async () => {
    await stack.stopWorkers();
    const rotatedWorker = await worker(parseKeyRing(`${NEW},${OLD}`));
    const rotated = await client(parseKeyRing(`${NEW},${OLD}`));
    await rotated.send('enc:two', 'before the old key goes');
    const first = await rotated.reseal();
    expect(first.items).toBeGreaterThan(0);
    expect(first.memories).toBeGreaterThan(0);
    expect(first.stream_events).toBeGreaterThan(0);
    expect(await rotated.reseal()).toEqual({ items: 0, stream_events: 0, memories: 0, session_imports: 0, content_parts: 0 });
    expect((await everyRowAsText(stack.db.pool)).text).not.toContain('k2025:');
    const cli = await runCli(['reseal'], { DATABASE_URL: stack.db.url, AGENT_SESSIONS_ENCRYPTION_KEYS: `${NEW},${OLD}` });
    expect(cli).toMatchObject({ code: 0, stdout: expect.stringContaining('items: 0 rows re-sealed') });

    await rotatedWorker.stop();
    await worker(parseKeyRing(NEW));
    const newOnly = await client(parseKeyRing(NEW));
    expect((await newOnly.items('enc:one')).length).toBeGreaterThan(2);
    expect((await newOnly.listMemories('bo')).map((memory) => memory.text)).toEqual(['memory-from-an-unsealing-client']);
    expect((await newOnly.send('enc:three', 'after the old key went')).reply).toBeTruthy();

    for (const call of [() => newOnly.status('enc:one'), () => newOnly.context('enc:one'), () => newOnly.send('enc:one', 'to an old session')]) {
      const started = Date.now();
      const error = await refusal(call());
      expect(error).toBeInstanceOf(EncryptionKeyError);
      expect(error.message).toContain('"k2025"');
      expect(Date.now() - started).toBeLessThan(20_000);
    }
    const cliEnv = { TEMPORAL_ADDRESS: stack.temporal.address, DATABASE_URL: stack.db.url, AGENT_SESSIONS_TASK_QUEUE: stack.taskQueue, AGENT_SESSIONS_ENCRYPTION_KEYS: NEW };
    for (const command of ['status', 'context']) {
      const run = await runCli([command, '--session', 'enc:one'], cliEnv);
      expect(run).toMatchObject({ code: 2, stderr: expect.stringContaining('"k2025"') });
    }
  });

  it('answers status with a typed error while no worker runs', async () => {
    for (const running of extraWorkers.splice(0)) await running.stop();
    await stack.stopWorkers();
    const newOnly = await client(parseKeyRing(NEW));
    const error = await refusal(newOnly.status('enc:three'));
    // No worker: WorkerUnavailableError once Temporal forgets its pollers, BackendUnavailableError while it still lists them.
    expect([WorkerUnavailableError, BackendUnavailableError].some((Class) => error instanceof Class)).toBe(true);
  });
});
