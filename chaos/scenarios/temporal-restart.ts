/**
 * The Temporal dev server is stopped (SIGTERM, once SIGKILL) and started again on the same port and
 * SQLite file, three times, while 20 sessions talk to a worker process. Half the sessions use a client
 * that rides out the outage itself (`retryForMs` 60 s), half an impatient one (2 s) whose callers are
 * told that Temporal is unavailable and send again with the same message id, as the error advises.
 * Every accepted message is answered exactly once, the projection matches the workflows, and every
 * session still answers.
 */
import { Client, Connection } from '@temporalio/client';
import { SessionsClient } from '../../src/client/sessions-client';
import { startTestStack, type TestStack } from '../../test/support/stack';
import { killWorker, spawnWorker } from '../../test/support/worker-process';
import { Ledger } from '../ledger';
import { startRestartableTemporal, type RestartableTemporal } from '../temporal-process';

const SESSIONS = Number(process.env.CHAOS_SESSIONS ?? 20);
/**
 * The stops, in turn: how the server is ended and how long it stays down (the last outage outlasts
 * the Temporal client's own retries of an unreachable server, so that callers see it).
 */
const STOPS: Array<{ signal: 'SIGTERM' | 'SIGKILL'; downMs: number }> = [
  { signal: 'SIGTERM', downMs: 4_000 },
  { signal: 'SIGKILL', downMs: 4_000 },
  { signal: 'SIGTERM', downMs: 45_000 },
];
/** Load before the first stop, between a restart and the next stop, and after the last restart. */
const UP_MS = 5_000;
/** The most messages one session sends (it stops earlier when the restarts are over). */
const MAX_TURNS = 200;
/** How long a caller keeps sending one message again. */
const RETRY_FOR_MS = 180_000;
/** The impatient client's `retryForMs`: shorter than an outage, so that its callers see BackendUnavailableError. */
const IMPATIENT_RETRY_FOR_MS = 2_000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Runs the scenario on a stack of its own, whose dev server it stops and starts. */
export async function temporalRestart(): Promise<{ ledger: Ledger; notes: string[]; stack: TestStack }> {
  const temporal = await startRestartableTemporal();
  const stack = await startTestStack({ temporal }).catch(async (error: unknown) => {
    await temporal.stop();
    throw error;
  });
  try {
    return await underLoad(stack, temporal);
  } catch (error) {
    await stack.stop();
    throw error;
  }
}

/** Stops and restarts `temporal` while sessions talk to a worker process; the ledger and notes. */
async function underLoad(stack: TestStack, temporal: RestartableTemporal): Promise<{ ledger: Ledger; notes: string[]; stack: TestStack }> {
  await stack.stopWorkers();
  const ledger = new Ledger(`Temporal restarted ${STOPS.length} times under load (${STOPS.map((stop) => `${stop.signal} ${stop.downMs / 1000} s`).join(', ')})`);
  const notes: string[] = [];
  const worker = await spawnWorker(stack);
  const onExit = (code: number | null, signal: string | null) => notes.push(`the worker process exited (${code ?? signal}) during the restarts`);
  worker.once('exit', onExit);
  const connection = Connection.lazy({ address: temporal.address });
  const impatient = new SessionsClient({ temporal: new Client({ connection }), taskQueue: stack.taskQueue, retryForMs: IMPATIENT_RETRY_FOR_MS });
  const run = Date.now().toString(36);
  let loading = true;
  let inFlight = 0;
  const load = Promise.all(
    Array.from({ length: SESSIONS }, async (_, s) => {
      const client = s % 2 === 0 ? stack.client : impatient;
      for (let t = 0; loading && t < MAX_TURNS; t++) {
        inFlight += 1;
        await ledger.send(client, `chaos-restart-${run}:${s}`, `session ${s} turn ${t}${t % 4 === 1 ? ' where is order 1234?' : ''}`, `r-${run}-${s}-${t}`, RETRY_FOR_MS);
        inFlight -= 1;
      }
    }),
  );
  try {
    for (const { signal, downMs } of STOPS) {
      await sleep(UP_MS);
      notes.push(`${inFlight} messages in flight when the server was stopped with ${signal}`);
      await temporal.kill(signal);
      await sleep(downMs);
      const restarting = Date.now();
      await temporal.restart();
      notes.push(`down ${downMs / 1000} s, answering again ${((Date.now() - restarting) / 1000).toFixed(1)} s after the restart`);
    }
    await sleep(UP_MS);
    loading = false;
    await load;
  } finally {
    loading = false;
    await load.catch(() => undefined);
    worker.off('exit', onExit);
    await killWorker(worker);
    await impatient.close();
    await stack.startWorker();
  }
  return { ledger, notes, stack };
}
