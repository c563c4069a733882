/**
 * An encrypted deployment (keys on the workers and on the keyed clients, the projection sealed) while
 * clients without the keys, or with a key ring that lacks the current key, send messages to new and
 * existing sessions, signal, add items and memories, from the library and from the CLI. Every such
 * operation must be refused with EncryptionKeyError naming the current key, and none of their texts may
 * be found in the dev server's SQLite file or in any projection table (the `plaintext` column); the
 * keyed clients' messages are all answered, none lost, none twice.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { EncryptionKeyError } from '../../src/client/errors';
import { parseKeyRing } from '../../src/codec/key-ring';
import { SessionsClient } from '../../src/client/sessions-client';
import { everyRowAsText } from '../../test/support/database';
import { runCli } from '../../test/support/cli';
import { startTestStack } from '../../test/support/stack';
import { Ledger, type ChaosRow } from '../ledger';

const keyText = (id: string) => `${id}:${randomBytes(32).toString('base64')}`;
const ROUNDS = Number(process.env.CHAOS_KEYLESS_ROUNDS ?? 5);

export async function keylessClient(): Promise<{ row: ChaosRow; notes: string[]; errors: Record<string, number> }> {
  const current = keyText('chaos-current');
  const dir = await mkdtemp(path.join(os.tmpdir(), 'agent-sessions-keyless-'));
  const stack = await startTestStack({ encryptionKeys: parseKeyRing(current), encryptProjection: true, temporalDbFile: path.join(dir, 'temporal.sqlite') });
  const ledger = new Ledger('keyless-client');
  const refusedTexts: string[] = [];
  let refused = 0;
  let untyped = 0;
  const errors: Record<string, number> = {};
  const connect = (keys?: string) =>
    SessionsClient.connect({
      temporalAddress: stack.temporal.address,
      databaseUrl: stack.db.url,
      taskQueue: stack.taskQueue,
      encryptionKeys: keys ? parseKeyRing(keys) : undefined,
    });
  const keyless = await connect();
  const wrongRing = await connect(keyText('chaos-other'));
  const keyed = await connect(current);
  /** One operation that must be refused: counted typed when it is EncryptionKeyError naming the current key. */
  const mustRefuse = async (text: string, call: () => Promise<unknown>) => {
    refusedTexts.push(text);
    try {
      await call();
      untyped += 1;
      errors['ran although the client lacks the current key'] = (errors['ran although the client lacks the current key'] ?? 0) + 1;
    } catch (error) {
      if (error instanceof EncryptionKeyError && error.message.includes('"chaos-current"')) refused += 1;
      else {
        untyped += 1;
        const key = `${(error as Error).name}: ${(error as Error).message}`.slice(0, 120);
        errors[key] = (errors[key] ?? 0) + 1;
      }
    }
  };
  try {
    for (let round = 0; round < ROUNDS; round++) {
      const existing = `keyless:existing-${round}`;
      await ledger.send(keyed, existing, `keyed message ${round} a`, `keyed-${round}-a`);
      await Promise.all(
        (
          [
            ['nokey', keyless],
            ['wrongring', wrongRing],
          ] as const
        ).map(async ([who, client]) => {
          const mark = (what: string) => `leak-${who}-${what}-${round}-${randomBytes(4).toString('hex')}`;
          const texts = { existing: mark('send'), fresh: mark('new'), signal: mark('signal'), item: mark('item'), memory: mark('memory') };
          await mustRefuse(texts.existing, () => client.send(existing, texts.existing));
          await mustRefuse(texts.fresh, () => client.send(`keyless:new-${who}-${round}`, texts.fresh));
          await mustRefuse(texts.signal, () => client.signal(existing, texts.signal));
          await mustRefuse(texts.item, () => client.addItems(existing, [{ type: 'message', role: 'user', content: texts.item }]));
          await mustRefuse(texts.memory, () => client.addMemory(`keyless-user-${round}`, { text: texts.memory }));
        }),
      );
      // The CLI without keys, to an existing and a new session.
      const env = { TEMPORAL_ADDRESS: stack.temporal.address, DATABASE_URL: stack.db.url, AGENT_SESSIONS_TASK_QUEUE: stack.taskQueue, AGENT_SESSIONS_ENCRYPTION_KEYS: '' };
      for (const session of [existing, `keyless:cli-new-${round}`]) {
        const text = `leak-cli-${round}-${randomBytes(4).toString('hex')}`;
        refusedTexts.push(text);
        let run = await runCli(['send', '--session', session, text], env);
        // dist/ being rebuilt by a concurrent `npm run build` is no answer of the CLI's: run it again.
        for (let attempt = 0; attempt < 20 && run.code === 1 && !run.stderr.startsWith('error:'); attempt++) {
          await new Promise((resolve) => setTimeout(resolve, 2_000));
          run = await runCli(['send', '--session', session, text], env);
        }
        if (run.code === 2 && run.stderr.includes('"chaos-current"')) refused += 1;
        else {
          untyped += 1;
          const key = `cli exit ${run.code}: ${run.stderr.trim()}`.slice(0, 120);
          errors[key] = (errors[key] ?? 0) + 1;
        }
      }
      await ledger.send(keyed, existing, `keyed message ${round} b`, `keyed-${round}-b`);
    }
    const row = await ledger.verify(stack.client);
    const files = (await readdir(dir)).filter((file) => file.startsWith('temporal.sqlite'));
    const temporalBytes = Buffer.concat(await Promise.all(files.map((file) => readFile(path.join(dir, file)))));
    const { text: projection } = await everyRowAsText(stack.db.pool);
    const found = refusedTexts.filter((text) => temporalBytes.includes(Buffer.from(text)) || projection.includes(text)).length;
    return {
      row: { ...row, sent: row.sent + refusedTexts.length, typedErrors: row.typedErrors + refused, plaintext: found, mismatches: row.mismatches + untyped },
      notes: [
        `${refusedTexts.length} operations from keyless clients and clients without the current key (library and CLI): ${refused} refused with EncryptionKeyError naming the key, ${untyped} not`,
        `${found} of their texts found in the dev server's SQLite file or a projection table`,
      ],
      errors: { ...ledger.errors(), ...errors },
    };
  } finally {
    await Promise.all([keyless.close(), wrongRing.close(), keyed.close()]);
    await stack.stop();
  }
}
