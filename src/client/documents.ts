/**
 * Sessions as documents: export one (a versioned JSON document read from the workflow and the
 * projection), import one into a new id, and fork a session (an export, cut at a turn, imported).
 */
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { getWindowQuery, importSessionUpdate } from '../shared/messages';
import { BackendUnavailableError, SessionExistsError } from '../shared/errors';
import { documentUpToTurn, EXPORT_FORMAT, EXPORT_VERSION, SessionExport, type ImportResult } from '../shared/export';
import { readLatestItems } from '../postgres/items';
import { readUsage } from '../postgres/usage';
import { discardImport, stageImport } from '../postgres/imports';
import { check, checkSessionId, checkStart, checkWithContent } from './checks';
import { context, status } from './workflow-reads';
import type { Transport } from './transport';

/** How often an export reads again when the session changed while it was read. */
const EXPORT_ATTEMPTS = 5;

/** The session as a versioned document, read again (up to EXPORT_ATTEMPTS times) if a write lands in between. */
export async function exportSession(transport: Transport, sessionId: string): Promise<SessionExport> {
  const id = checkSessionId(sessionId);
  const pool = transport.requirePool();
  for (let attempt = 1; ; attempt++) {
    const before = await status(transport, id);
    const [sessionContext, window, items, usage] = await Promise.all([
      context(transport, id),
      transport.query(id, (handle) => handle.query(getWindowQuery)),
      transport.read(() => readLatestItems(pool, id)),
      transport.read(() => readUsage(pool, id)),
    ]);
    const after = await status(transport, id);
    const settled = after.lastSeq === before.lastSeq && after.turns === before.turns && after.itemCount === items.length;
    if (!settled && attempt < EXPORT_ATTEMPTS) continue;
    if (!settled) throw new BackendUnavailableError(`the session "${id}" kept changing while it was exported; export it when it is idle`);
    return {
      format: EXPORT_FORMAT,
      version: EXPORT_VERSION,
      sessionId: id,
      exportedAt: new Date().toISOString(),
      userId: after.userId ?? null,
      labels: after.labels,
      agent: after.agent,
      context: sessionContext,
      settings: after.settings,
      turns: after.turns,
      lastSeq: after.lastSeq,
      window,
      items: await transport.resolved(id, items),
      usage,
      usageTotal: after.usage,
    };
  }
}

/** Creates the session `sessionId` (a new id) from a document `exportSession` wrote; staged rows are discarded when it fails. */
export async function importSession(transport: Transport, sessionId: string, document: SessionExport): Promise<ImportResult> {
  const id = checkSessionId(sessionId);
  const { value: checked, parts } = checkWithContent(SessionExport, document, 'invalid session document', { document: true });
  const pool = transport.requirePool();
  await transport.refuseDeleted(id);
  if (await transport.sessionExists(id)) throw new SessionExistsError(id);
  const importId = randomUUID();
  await transport.storeParts(id, parts);
  await transport.read(() => stageImport(pool, importId, id, checked));
  const start = checkStart({
    context: checked.context,
    settings: checked.settings,
    labels: checked.labels,
    ...(checked.agent ? { agent: checked.agent } : {}),
    ...(checked.userId ? { userId: checked.userId } : {}),
  });
  const args = { importId, lastSeq: checked.lastSeq, turns: checked.turns, usage: checked.usageTotal, window: checked.window, id: importId };
  try {
    return await transport.update(id, importSessionUpdate, args, importId, transport.startOperation(id, start, 'FAIL'));
  } catch (error) {
    await discardImport(pool, importId).catch(() => undefined);
    throw error;
  }
}

/** A new session `to` with the items of `from` up to its turn `turn` (all of them when absent). */
export async function forkSession(transport: Transport, from: string, to: string, options: { turn?: number }): Promise<ImportResult> {
  const turn = check(z.number().int().positive('turn must be a positive integer').optional(), options.turn, 'invalid turn');
  checkSessionId(to);
  const document = await exportSession(transport, from);
  return importSession(transport, to, turn === undefined ? document : documentUpToTurn(document, turn));
}
