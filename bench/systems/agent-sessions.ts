/** This project as a bench system: sessions filled by import, turns sent with the client library. */
import type { SessionsClient } from '../../src/client/sessions-client';
import { EXPORT_FORMAT, EXPORT_VERSION, type SessionExport } from '../../src/shared/export';
import { MAX_WINDOW_ITEMS } from '../../src/shared/limits';
import { SessionSettings } from '../../src/shared/schemas';
import { emptyUsage } from '../../src/shared/usage';
import { prefillTurns } from '../script';
import type { BenchSystem } from './system';

/** A session document holding `turns` earlier turns of the support agent. */
function prefilledDocument(sessionId: string, turns: number): SessionExport {
  const at = new Date().toISOString();
  const items = prefillTurns(turns).flatMap(({ user, assistant }, index) => [
    { seq: 2 * index + 1, agent: 'support', at, item: { type: 'message' as const, role: 'user' as const, content: user } },
    { seq: 2 * index + 2, agent: 'support', at, item: { type: 'message' as const, role: 'assistant' as const, content: assistant } },
  ]);
  return {
    format: EXPORT_FORMAT,
    version: EXPORT_VERSION,
    sessionId,
    exportedAt: at,
    userId: null,
    labels: {},
    agent: 'support',
    context: {},
    settings: SessionSettings.parse({}),
    turns,
    lastSeq: items.length,
    window: items.slice(-MAX_WINDOW_ITEMS).map((entry) => entry.seq),
    items,
    usage: [],
    usageTotal: emptyUsage(),
  };
}

/** agent-sessions through its client: every turn durable, projected to Postgres before it answers. */
export function agentSessionsSystem(client: SessionsClient): BenchSystem {
  return {
    name: 'agent-sessions (durable)',
    async prefill(sessionId, turns) {
      await client.importSession(sessionId, prefilledDocument(sessionId, turns));
    },
    async turn(sessionId, message) {
      return (await client.send(sessionId, message)).reply;
    },
    close: async () => undefined,
  };
}
