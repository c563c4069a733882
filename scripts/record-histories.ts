/**
 * Records the event histories the replay tests replay: real conversations run on real parts
 * (dev server, Postgres, offline model), written to test/histories/*.json.
 * Run with `npm run record-histories` after a deliberate, compatible workflow change only: the
 * committed histories are the record of what deployed workers produced.
 */
import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { resolveTemporalCli } from '../src/dev/temporal-cli';
import { startTestStack, type TestStack } from '../test/support/stack';

/** One recorded conversation: a session id and the steps that drive it. */
interface Recording {
  sessionId: string;
  drive(stack: TestStack, sessionId: string): Promise<void>;
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
];

/** A workflow's history as proto JSON, exported by the Temporal CLI (`temporal workflow show`). */
async function exportHistory(stack: TestStack, workflowId: string): Promise<string> {
  const cli = await resolveTemporalCli(process.env.TEMPORAL_CLI_PATH, console.log);
  if (cli.type !== 'existing-path') throw new Error('recording needs a Temporal CLI binary: set TEMPORAL_CLI_PATH');
  const { stdout } = await promisify(execFile)(
    cli.path,
    ['workflow', 'show', '--workflow-id', workflowId, '--output', 'json', '--address', stack.temporal.address],
    { maxBuffer: 64 * 1024 * 1024 },
  );
  return stdout;
}

async function main(): Promise<void> {
  const stack = await startTestStack();
  try {
    for (const recording of RECORDINGS) {
      await recording.drive(stack, recording.sessionId);
      const history = JSON.parse(await exportHistory(stack, recording.sessionId));
      const file = path.join(__dirname, '..', 'test', 'histories', `${recording.sessionId.replace(':', '-')}.json`);
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
