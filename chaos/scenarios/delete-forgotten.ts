/**
 * Deleted sessions stay deleted under load: clients send to 10 sessions (through continue-as-new),
 * 4 are deleted mid-load, their executions are deleted from Temporal (by the reaper; whatever is left,
 * by the scenario, as if Temporal's retention had forgotten them), and clients keep sending to and
 * reading them. Every operation on a deleted id is refused with SessionDeletedError, no deleted id
 * starts a workflow again, every message to a live session is answered once, and none of the deleted
 * sessions' texts is left in the dev server's SQLite file.
 */
import { readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { deleteSessionExecutions } from '../../src/activities/executions';
import { SessionDeletedError } from '../../src/client/errors';
import { SessionsClient } from '../../src/client/sessions-client';
import { startTestStack } from '../../test/support/stack';
import { Ledger, type ChaosRow } from '../ledger';

const SESSIONS = 10;
const DELETED = 4;
const CLIENTS_PER_SESSION = 2;
const MESSAGES = Number(process.env.CHAOS_MESSAGES ?? 8);

export async function deleteForgotten(): Promise<{ row: ChaosRow; notes: string[]; errors: Record<string, number> }> {
  const dbFile = path.join(os.tmpdir(), `chaos-delete-${process.pid}-${Date.now()}.sqlite`);
  const stack = await startTestStack({
    temporalDbFile: dbFile,
    dynamicConfig: {
      'limit.historyCount.suggestContinueAsNew': 60,
      'history.transferProcessorEnsureCloseBeforeDelete': false,
      'history.visibilityProcessorEnsureCloseBeforeDelete': false,
    },
  });
  const temporal = new Client({ connection: await Connection.connect({ address: stack.temporal.address }) });
  const clients = await Promise.all(
    Array.from({ length: 4 }, () => SessionsClient.connect({ temporalAddress: stack.temporal.address, databaseUrl: stack.db.url, taskQueue: stack.taskQueue })),
  );
  let stopped = false;
  try {
    const ledger = new Ledger('delete-forgotten');
    const run = Date.now().toString(36);
    const ids = Array.from({ length: SESSIONS }, (_, index) => `chaos-del-${run}:${index}`);
    const doomed = new Set(ids.slice(0, DELETED));
    const deletedAt = new Map<string, number>();
    const doomedTexts: string[] = [];
    const onDeleted = { sent: 0, answeredBefore: 0, refusedTyped: 0, other: 0 };
    const otherErrors: Record<string, number> = {};
    const noteOther = (error: unknown) => {
      onDeleted.other += 1;
      const key = `${(error as Error).name}: ${(error as Error).message}`.slice(0, 120);
      otherErrors[key] = (otherErrors[key] ?? 0) + 1;
    };

    // Load: each session gets messages from two clients; the doomed ones are deleted after their third.
    await Promise.all(
      ids.flatMap((sessionId, s) =>
        Array.from({ length: CLIENTS_PER_SESSION }, async (_, c) => {
          const client = clients[(s + c) % clients.length];
          for (let m = 0; m < MESSAGES; m++) {
            const text = `session ${s} client ${c} message ${m} secret-${run}-${s}-${c}-${m}`;
            const id = `s${s}-c${c}-m${m}`;
            if (!doomed.has(sessionId)) {
              await ledger.send(client, sessionId, text, id, 60_000);
              continue;
            }
            doomedTexts.push(`secret-${run}-${s}-${c}-${m}`);
            onDeleted.sent += 1;
            const wasDeleted = deletedAt.has(sessionId);
            try {
              await client.send(sessionId, { id, text });
              if (wasDeleted) noteOther(new Error('answered after the delete'));
              else onDeleted.answeredBefore += 1;
            } catch (error) {
              if (error instanceof SessionDeletedError) onDeleted.refusedTyped += 1;
              else noteOther(error);
            }
            if (c === 0 && m === 2 && !deletedAt.has(sessionId)) {
              await client.deleteSession(sessionId);
              deletedAt.set(sessionId, Date.now());
            }
          }
        }),
      ),
    );

    // Temporal forgets: the reaper deletes every run; whatever is still there after 30 s, the scenario deletes.
    const runsLeft = async () => {
      let left = 0;
      for (const sessionId of doomed) {
        left += await temporal.workflowService.describeWorkflowExecution({ namespace: 'default', execution: { workflowId: sessionId } }).then(
          () => 1,
          () => 0,
        );
      }
      return left;
    };
    const reapStart = Date.now();
    while ((await runsLeft()) > 0 && Date.now() - reapStart < 30_000) await new Promise((resolve) => setTimeout(resolve, 250));
    const leftByReaper = await runsLeft();
    const reapSeconds = Math.round((Date.now() - reapStart) / 100) / 10;
    for (const sessionId of doomed) await deleteSessionExecutions(temporal, sessionId).catch(() => 0);

    // Clients keep sending to and reading the deleted ids, concurrently.
    await Promise.all(
      [...doomed].flatMap((sessionId, d) =>
        clients.map(async (client, c) => {
          const calls: Array<() => Promise<unknown>> = [
            () => client.send(sessionId, { id: `after-${d}-${c}`, text: `after deletion ${d} ${c}` }),
            () => client.signal(sessionId, `signal after deletion ${d} ${c}`),
            () => client.status(sessionId),
            () => client.context(sessionId),
            () => client.items(sessionId),
            () => client.usage(sessionId),
            () => client.exportSession(sessionId),
            () => client.addItems(sessionId, [{ type: 'message', role: 'user', content: 'x' }]),
            () => client.updateLabels(sessionId, { a: 'b' }),
            () => client.popItem(sessionId),
          ];
          for (const call of calls) {
            onDeleted.sent += 1;
            await call().then(
              () => noteOther(new Error('answered on a deleted id')),
              (error: unknown) => (error instanceof SessionDeletedError ? (onDeleted.refusedTyped += 1) : noteOther(error)),
            );
          }
        }),
      ),
    );

    const resurrected = await runsLeft();
    const row = await ledger.verify(stack.client);
    // The deleted sessions' texts still in Temporal: the dev server's SQLite file, read once the server has
    // stopped (it then folds its write-ahead log back into the file, which SQLite zeroes where it freed).
    await Promise.all(clients.map((client) => client.close()));
    await temporal.connection.close();
    await stack.stop();
    stopped = true;
    const files = await Promise.all([dbFile, `${dbFile}-wal`].map((file) => readFile(file).catch(() => Buffer.alloc(0))));
    const plaintext = doomedTexts.filter((text) => files.some((bytes) => bytes.includes(text))).length;
    const liveTextsInFile = files[0].includes(`secret-${run}-${DELETED}-0-0`);
    row.plaintext = plaintext;
    const notes = [
      `${SESSIONS} sessions, ${DELETED} deleted mid-load; ${onDeleted.sent} operations on deleted-to-be ids: ${onDeleted.answeredBefore} answered before the delete, ${onDeleted.refusedTyped} refused with SessionDeletedError, ${onDeleted.other} otherwise`,
      `resurrected: ${resurrected} (workflows of deleted ids in Temporal at the end)`,
      `runs left by the reaper after ${reapSeconds} s: ${leftByReaper}`,
      `plaintext: ${plaintext} of ${doomedTexts.length} deleted sessions' texts found in the dev server's SQLite file (a live session's text found there: ${liveTextsInFile})`,
    ];
    return { row, notes, errors: { ...ledger.errors(), ...otherErrors } };
  } finally {
    if (!stopped) {
      await Promise.all(clients.map((client) => client.close()));
      await temporal.connection.close();
      await stack.stop();
    }
    await rm(dbFile, { force: true });
    await rm(`${dbFile}-wal`, { force: true });
    await rm(`${dbFile}-shm`, { force: true });
  }
}
