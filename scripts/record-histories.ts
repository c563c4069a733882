/**
 * Records the event histories the replay tests replay: real conversations run on real parts
 * (dev server, Postgres, offline model), written to test/histories/*.json.
 * Run with `npm run record-histories`: it records only the recordings that have no file yet. The
 * committed histories are the record of what deployed workers produced; they are never re-recorded.
 * The stack's dev server rolls runs over early (after 150 events), so a recording can end in continue-as-new.
 */
import { execFile } from 'node:child_process';
import { access, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { defineAgent } from '../src/agents';
import { lookupOrder } from '../src/dev/demo-agent';
import { resolveTemporalCli } from '../src/dev/temporal-cli';
import { startWorker } from '../src/worker/run-worker';
import { secret } from '../src/shared/secrets';
import { startTestStack, type TestStack } from '../test/support/stack';

/** One recorded conversation: a session id, the steps that drive it, and which run to export. */
interface Recording {
  sessionId: string;
  /** Drives the session; returns the run id to export (the latest run when undefined). */
  drive(stack: TestStack, sessionId: string): Promise<string | void>;
}

const RECORDINGS: Recording[] = [
  {
    sessionId: 'replay:memory-and-tools',
    drive: async (stack, id) => {
      await stack.client.send(id, { id: 'm1', text: 'Hi, my name is Alice.' }, { context: { customerId: 'c-1' } });
      await stack.client.send(id, { id: 'm2', text: 'Where is my order 1234?' });
      await stack.client.send(id, { id: 'm2', text: 'Where is my order 1234?' });
      await stack.client.updateContext(id, { tier: 'enterprise' });
      await stack.client.send(id, { id: 'm3', text: "What's my name?" });
    },
  },
  {
    sessionId: 'replay:failures-and-signals',
    drive: async (stack, id) => {
      await stack.client.signal(id, { id: 's1', text: 'My name is Bob.' });
      stack.model.enqueue({ error: { status: 500 } }, { text: 'Sorry for the wait.' });
      await stack.client.send(id, { id: 'm1', text: 'Are you there?' });
      stack.model.enqueue({ error: { status: 400, message: 'bad request' } });
      await stack.client.send(id, { id: 'm2', text: 'This one fails.' }).catch(() => undefined);
      await stack.client.send(id, { id: 'm3', text: "What's my name?" });
    },
  },
  {
    sessionId: 'replay:operations-and-rollover',
    drive: async (stack, id) => {
      await stack.client.send(id, { id: 'm1', text: 'Hi, my name is Alice.' }, { settings: { window: { maxItems: 20 } } });
      const firstRun = (await stack.client.temporalHandle(id).describe()).runId;
      await stack.client.addItems(id, [{ type: 'message', role: 'user', content: 'added' }], { id: 'a1' });
      await stack.client.popItem(id, { id: 'p1' });
      await stack.client.send(id, { id: 'm2', text: 'Where is my order 1234?' });
      await stack.client.updateContext(id, { tier: 'plus' }, { id: 'c1' });
      await stack.client.updateSettings(id, { compaction: { afterItems: 8, keepTurns: 1 } }, { id: 'st1' });
      await stack.client.compact(id, { id: 'k1' });
      const latest = (await stack.client.items(id)).filter((entry) => !entry.summary).at(-1);
      if (!latest) throw new Error('the recording expected items before replaceSuffix');
      await stack.client.replaceSuffix(id, [latest.item], [{ type: 'message', role: 'assistant', content: 'Order 1234 ships Thursday.' }], { id: 'r1' });
      await stack.client.clearSession(id, { id: 'x1' });
      for (let turn = 0; (await stack.client.status(id)).run === 1 && turn < 40; turn++) await stack.client.send(id, `filler ${turn}`);
      return firstRun;
    },
  },
  {
    sessionId: 'replay:streaming',
    drive: async (stack, id) => {
      const follow = async (events: AsyncIterable<unknown>) => {
        for await (const _event of events) continue;
      };
      await follow(stack.client.stream(id, { id: 'm1', text: 'Hi, my name is Carol.' }));
      await follow(stack.client.stream(id, { id: 'm2', text: 'Where is my order 1234?' }));
      stack.model.enqueue({ text: 'alpha beta gamma', dropAfterChunks: 3, chunkDelayMs: 50 }, { text: 'alpha beta gamma' });
      await follow(stack.client.stream(id, { id: 'm3', text: 'Say three words.' }));
      await stack.client.updateContext(id, { tier: 'plus' }, { id: 'c1' });
      await stack.client.send(id, { id: 'm4', text: "What's my name?" });
    },
  },
  {
    sessionId: 'replay:secrets',
    drive: async (stack, id) => {
      await stack.client.send(id, { id: 'm1', text: 'Hi, my name is Dana.' }, { context: { crmToken: secret('crm-token-0000-recorded') } });
      await stack.client.send(id, { id: 'm2', text: 'Where is my order 1234?' });
      await stack.client.updateContext(id, { apiKey: secret('api-key-0000-recorded') }, { id: 'c1' });
      await stack.client.context(id);
      await stack.client.send(id, { id: 'm3', text: "What's my name?" });
    },
  },
  {
    // The Responses API with a reasoning model: each reply starts with a reasoning item (its encrypted
    // content travels back as a session item), a tool call, and a user message with an image.
    sessionId: 'replay:reasoning-and-image',
    drive: async (stack, id) => {
      await stack.stopWorkers();
      const worker = await startWorker(
        {
          temporalAddress: stack.temporal.address,
          namespace: 'default',
          taskQueue: stack.taskQueue,
          databaseUrl: stack.db.url,
          model: { baseURL: stack.model.baseURL, apiKey: 'offline', defaultModel: 'gpt-5' },
          openaiApi: 'responses',
          workflowBundle: stack.bundle,
          agents: [defineAgent({ name: 'support', model: 'gpt-5', instructions: 'You are a friendly customer-support assistant.', tools: [lookupOrder] })],
        },
        stack.db.pool,
      );
      try {
        const image = 'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==';
        await stack.client.send(id, {
          id: 'm1',
          input: [
            { type: 'input_text', text: 'Hi, my name is Erin. Here is my parcel.' },
            { type: 'input_image', image_url: image },
          ],
        });
        await stack.client.send(id, { id: 'm2', text: 'Where is my order 1234?' });
        await stack.client.send(id, { id: 'm3', text: "What's my name?" });
      } finally {
        await worker.stop();
        await stack.startWorker();
      }
    },
  },
];

/** A workflow's history as proto JSON, exported by the Temporal CLI (`temporal workflow show`). */
async function exportHistory(stack: TestStack, workflowId: string, runId?: string): Promise<string> {
  const cli = await resolveTemporalCli(process.env.TEMPORAL_CLI_PATH, console.log);
  if (cli.type !== 'existing-path') throw new Error('recording needs a Temporal CLI binary: set TEMPORAL_CLI_PATH');
  const { stdout } = await promisify(execFile)(
    cli.path,
    ['workflow', 'show', '--workflow-id', workflowId, ...(runId ? ['--run-id', runId] : []), '--output', 'json', '--address', stack.temporal.address],
    { maxBuffer: 64 * 1024 * 1024 },
  );
  return stdout;
}

async function main(): Promise<void> {
  const stack = await startTestStack({ dynamicConfig: { 'limit.historyCount.suggestContinueAsNew': 150 } });
  try {
    for (const recording of RECORDINGS) {
      const file = path.join(__dirname, '..', 'test', 'histories', `${recording.sessionId.replace(':', '-')}.json`);
      if (
        await access(file).then(
          () => true,
          () => false,
        )
      ) {
        console.log(`kept ${path.relative(process.cwd(), file)} (recorded histories are never re-recorded)`);
        continue;
      }
      const runId = await recording.drive(stack, recording.sessionId);
      const history = JSON.parse(await exportHistory(stack, recording.sessionId, runId ?? undefined));
      await writeFile(file, `${JSON.stringify(history, null, 2)}\n`);
      console.log(`recorded ${recording.sessionId}: ${history.events.length} events -> ${path.relative(process.cwd(), file)}`);
    }
  } finally {
    await stack.stop();
  }
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
