/** Closing a client mid-call: the call fails with a typed error saying what to do, and no retry fires later on the closed connection. */
import { BackendUnavailableError } from '../../src/shared/errors';
import { SessionsClient } from '../../src/client/sessions-client';

jest.setTimeout(30_000);

test('closing the client while a call retries against an unreachable Temporal rejects the call and nothing throws afterwards', async () => {
  const thrown: unknown[] = [];
  const onUncaught = (error: unknown) => thrown.push(error);
  process.on('uncaughtException', onUncaught);
  try {
    const client = await SessionsClient.connect({ temporalAddress: '127.0.0.1:1', workerWaitMs: 20_000 }); // nothing listens on port 1
    const sent = client.send('close:mid-call', 'Hello').catch((error: unknown) => error);
    await new Promise((resolve) => setTimeout(resolve, 1_500)); // the SDK's retries are under way
    await client.close();
    const error = await sent;
    expect(error).toBeInstanceOf(BackendUnavailableError);
    expect((error as Error).message).toMatch(/client was closed .* call it again with a new client/);
    await new Promise((resolve) => setTimeout(resolve, 6_000)); // past the longest backoff (5 s)
  } finally {
    process.off('uncaughtException', onUncaught);
  }
  expect(thrown).toEqual([]);
});
