/**
 * Wakes readers of streamed turns when a writer notifies the session's channel. One pooled connection
 * LISTENs for the whole process; readers also wake after a short wait, so a lost or refused LISTEN
 * (the embedded Postgres, a dropped connection) costs latency, never events. The channel is the
 * deployment's (`agent_sessions_stream:<schema>`).
 */
import type { Pool, PoolClient } from 'pg';
import { STREAM_CHANNEL } from '../shared/stream';

/**
 * The channel of this deployment's streamed turns: `agent_sessions_stream:<schema>`, the schema being
 * the connection's own (as `append_stream_events` notifies), so deployments sharing a database do not
 * hear each other.
 */
export async function streamChannel(client: PoolClient): Promise<string> {
  const { rows } = await client.query<{ schema: string | null }>('SELECT current_schema() AS schema');
  const schema = rows[0]?.schema;
  if (!schema || !/^[A-Za-z0-9_]+$/.test(schema)) throw new Error(`no usable schema on the search_path (${String(schema)})`);
  return `${STREAM_CHANNEL}:${schema}`;
}

/** Readers waiting for news of a session, woken by NOTIFY on the stream channel. */
export class StreamNotifications {
  private listener: Promise<PoolClient | undefined> | undefined;
  private readonly waiters = new Map<string, Set<() => void>>();
  private closed = false;

  constructor(private readonly pool: Pool) {}

  /** Resolves when the session's stream has news, when `signal` aborts, or after `fallbackMs` at the latest. */
  async wait(sessionId: string, fallbackMs: number, signal?: AbortSignal): Promise<void> {
    await this.listen();
    if (signal?.aborted) return;
    await new Promise<void>((resolve) => {
      const waiters = this.waiters.get(sessionId) ?? new Set();
      this.waiters.set(sessionId, waiters);
      const wake = () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', wake);
        waiters.delete(wake);
        if (waiters.size === 0 && this.waiters.get(sessionId) === waiters) this.waiters.delete(sessionId);
        resolve();
      };
      const timer = setTimeout(wake, fallbackMs);
      waiters.add(wake);
      signal?.addEventListener('abort', wake, { once: true });
    });
  }

  /** Stops listening and wakes every reader. */
  async close(): Promise<void> {
    this.closed = true;
    for (const waiters of this.waiters.values()) for (const wake of [...waiters]) wake();
    const client = await this.listener?.catch(() => undefined);
    client?.release(true);
  }

  /** The listening connection, made on first use and again after it fails. */
  private listen(): Promise<PoolClient | undefined> {
    if (this.closed) return Promise.resolve(undefined);
    this.listener ??= this.connect();
    return this.listener;
  }

  private async connect(): Promise<PoolClient | undefined> {
    let client: PoolClient | undefined;
    try {
      client = await this.pool.connect();
      client.on('notification', (message) => {
        for (const wake of [...(this.waiters.get(message.payload ?? '') ?? [])]) wake();
      });
      client.on('error', () => this.drop(client));
      await client.query(`LISTEN "${await streamChannel(client)}"`);
      return client;
    } catch {
      this.drop(client);
      return undefined;
    }
  }

  /** Forgets a failed connection; the next wait connects again. */
  private drop(client: PoolClient | undefined): void {
    this.listener = undefined;
    client?.release(true);
  }
}
