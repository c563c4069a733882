/**
 * Secret context values: tools and instructions get the text itself; the model's requests, the
 * projection, the streamed events, every read of the context (library, CLI), operation answers and
 * exports never hold it; a malformed secret is refused at the boundary.
 */
import { z } from 'zod';
import { defineAgent, defineTool, type RunContext } from '../src/agents';
import { InvalidInputError, SessionNotFoundError, TurnFailedError } from '../src/client/errors';
import { secret } from '../src/shared/secrets';
import { runCli } from './support/cli';
import { everyRowAsText } from './support/database';
import { startTestStack, type TestStack } from './support/stack';

const TOKEN = 'crm-token-7Hq2ZpL9-never-shown';

type Account = { crmToken?: string; copied?: string; checked?: boolean; crm?: { token: string; cursor: number } };

const seenByTools: string[] = [];
const seenByInstructions: string[] = [];

const checkAccount = defineTool({
  name: 'check_account',
  description: 'Checks the account with the CRM.',
  parameters: z.object({}),
  execute: (_args, { context }: RunContext<Account>) => {
    seenByTools.push(String(context.crmToken));
    context.copied = `copy of ${context.crmToken}`;
    context.checked = true;
    return `checked with ${context.crmToken}`;
  },
});

const storeBadSecret = defineTool({
  name: 'store_bad_secret',
  description: 'Stores a secret too short to keep.',
  parameters: z.object({}),
  execute: (_args, { context }: RunContext<Record<string, unknown>>) => {
    context.pin = { $secret: '1234' };
    return 'stored';
  },
});

const ROTATED = 'crm-token-rotated-0042-hidden';

const pageCrm = defineTool({
  name: 'page_crm',
  description: 'Reads the next page of the CRM; the second time, the CRM rotates the token.',
  parameters: z.object({}),
  execute: (_args, { context }: RunContext<Account>) => {
    if (!context.crm) return 'no CRM';
    context.crm.cursor += 1;
    if (context.crm.cursor === 3) context.crm.token = ROTATED;
    return `page ${context.crm.cursor} read with ${context.crm.token}`;
  },
});

const crm = defineAgent<Account>({
  name: 'crm',
  instructions: ({ context }) => {
    seenByInstructions.push(String(context.crmToken));
    return `You help with the account. (internal token: ${context.crmToken})`;
  },
  tools: [checkAccount, storeBadSecret, pageCrm],
});

let stack: TestStack;

beforeAll(async () => {
  stack = await startTestStack({ agents: [crm] });
});

afterAll(async () => {
  await stack?.stop();
});

describe('a secret context value', () => {
  test('reaches the tool and the instructions as its text, and never the model, the projection, the stream, a read or an export', async () => {
    const sessionId = 'secrets:ada';
    stack.model.enqueue({ toolCalls: [{ name: 'check_account', arguments: {} }] }, { text: 'Your account is fine.' });
    const events: unknown[] = [];
    for await (const event of stack.client.stream(sessionId, 'Is my account fine?', { context: { plan: 'gold', crmToken: secret(TOKEN) } })) events.push(event);

    expect(seenByTools).toEqual([TOKEN]);
    expect(seenByInstructions.length).toBeGreaterThanOrEqual(2);
    expect(new Set(seenByInstructions)).toEqual(new Set([TOKEN]));

    const sentToModel = JSON.stringify(stack.model.requests);
    expect(sentToModel).not.toContain(TOKEN);
    expect(sentToModel).toContain('(internal token: [secret])');
    expect(sentToModel).toContain('checked with [secret]');

    expect(JSON.stringify(events)).not.toContain(TOKEN);
    expect((await everyRowAsText(stack.db.pool)).text).not.toContain(TOKEN);

    expect(await stack.client.context(sessionId)).toEqual({ plan: 'gold', crmToken: { $secret: null }, copied: 'copy of [secret]', checked: true });
    expect(await stack.client.updateContext(sessionId, { plan: 'platinum' })).toMatchObject({ plan: 'platinum', crmToken: { $secret: null } });
    const exported = await stack.client.exportSession(sessionId);
    expect(JSON.stringify(exported)).not.toContain(TOKEN);
    expect(exported.context.crmToken).toEqual({ $secret: null });

    const cli = await runCli(['context', '--session', sessionId], {
      TEMPORAL_ADDRESS: stack.temporal.address,
      DATABASE_URL: stack.db.url,
      AGENT_SESSIONS_TASK_QUEUE: stack.taskQueue,
    });
    expect(cli.code).toBe(0);
    expect(cli.stdout).toContain('"$secret": null');
    expect(cli.stdout + cli.stderr).not.toContain(TOKEN);
  });

  test('stays secret across later turns: the tool still gets its text, a fork gets the value withheld', async () => {
    const sessionId = 'secrets:bo';
    await stack.client.send(sessionId, 'Hello', { context: { crmToken: secret(TOKEN) } });
    seenByTools.length = 0;
    stack.model.enqueue({ toolCalls: [{ name: 'check_account', arguments: {} }] }, { text: 'Checked again.' });
    await stack.client.send(sessionId, 'Check again please');
    expect(seenByTools).toEqual([TOKEN]);

    await stack.client.forkSession(sessionId, 'secrets:bo-fork');
    seenByTools.length = 0;
    stack.model.enqueue({ toolCalls: [{ name: 'check_account', arguments: {} }] }, { text: 'Checked in the fork.' });
    await stack.client.send('secrets:bo-fork', 'Check in the fork');
    expect(seenByTools).toEqual(['null']);
  });

  test('is refused at the boundary when it is malformed, and nothing is stored', async () => {
    for (const bad of [{ $secret: 'short' }, { $secret: 42 }, [{ $secret: 'x'.repeat(4097) }]]) {
      const error = await stack.client.send('secrets:malformed', 'Hi', { context: { token: bad } }).catch((thrown: unknown) => thrown);
      expect(error).toBeInstanceOf(InvalidInputError);
      expect((error as Error).message).toMatch(/a secret must be \{ "\$secret": text of 8 to 4096 characters \}/);
    }
    const schema = { properties: { $secret: { type: 'string' }, name: { type: 'string' } } };
    await stack.client.send('secrets:plain-data', 'Hi', { context: { schema } });
    expect(await stack.client.context('secrets:plain-data')).toEqual({ schema });
    const whole = await stack.client.send('secrets:malformed', 'Hi', { context: { $secret: TOKEN } }).catch((thrown: unknown) => thrown);
    expect(whole).toBeInstanceOf(InvalidInputError);
    expect((whole as Error).message).toMatch(/the context itself cannot be a secret/);
    await stack.client.send('secrets:patched', 'Hi');
    await expect(stack.client.updateContext('secrets:patched', { $secret: TOKEN })).rejects.toThrow(/the context itself cannot be a secret/);
    await expect(stack.client.items('secrets:malformed')).rejects.toThrow(SessionNotFoundError);
  });

  test('a tool that writes a malformed secret fails its turn with a typed error, and the session goes on', async () => {
    const sessionId = 'secrets:tool-writes-bad';
    await stack.client.send(sessionId, 'Hello');
    stack.model.enqueue({ toolCalls: [{ name: 'store_bad_secret', arguments: {} }] }, { text: 'Stored.' });
    const error = await stack.client.send(sessionId, 'Store my pin').catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(TurnFailedError);
    expect((error as Error).message).toMatch(/a tool's change to the context was refused: at pin, a secret must be/);
    expect(await stack.client.context(sessionId)).toEqual({});
    await expect(stack.client.send(sessionId, 'Still there?')).resolves.toMatchObject({ reply: expect.any(String) });
  });

  test('stays secret when a tool changes a field beside it, and a new text a tool writes in its place is a new secret', async () => {
    const sessionId = 'secrets:nested';
    await stack.client.send(sessionId, 'Hello', { context: { crm: { token: secret(TOKEN), cursor: 1 } } });
    stack.model.enqueue({ toolCalls: [{ name: 'page_crm', arguments: {} }] }, { text: 'Next page.' });
    await stack.client.send(sessionId, 'Next page please');
    expect(await stack.client.context(sessionId)).toEqual({ crm: { token: { $secret: null }, cursor: 2 } });
    stack.model.enqueue({ toolCalls: [{ name: 'page_crm', arguments: {} }] }, { text: 'Again.' });
    await stack.client.send(sessionId, 'Again');
    expect(JSON.stringify(stack.model.requests)).not.toContain(TOKEN);
    expect(JSON.stringify(stack.model.requests)).not.toContain(ROTATED);
    expect(await stack.client.context(sessionId)).toEqual({ crm: { token: { $secret: null }, cursor: 3 } });
  });
});
