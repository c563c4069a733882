/**
 * A graceful stop of the HTTP server: it stops accepting connections, closes idle keep-alive ones and
 * answers in-flight requests with `Connection: close`, ends open event streams at once (a browser's
 * EventSource reconnects with Last-Event-ID, to another replica), and lets the other requests finish
 * within the grace period; what is still open then is cut.
 */
import type { Server, ServerResponse } from 'node:http';

/** The requests of one server, for its drain. */
export class ServerDrain {
  private readonly streams = new Set<ServerResponse>();
  private started = false;

  /** Whether a drain started: answers carry `Connection: close` from then on. */
  get draining(): boolean {
    return this.started;
  }

  /** Notes a request being answered: during a drain its connection closes after the answer. */
  answering(response: ServerResponse): void {
    if (this.started && !response.headersSent) response.setHeader('connection', 'close');
  }

  /** Notes an open event stream (ended at once when a drain starts). */
  streaming(response: ServerResponse): void {
    if (this.started) {
      response.end();
      return;
    }
    this.streams.add(response);
    response.once('close', () => this.streams.delete(response));
  }

  /**
   * Drains `server`: resolves when every connection has closed, within `graceMs` (connections still open
   * then are destroyed). Returns whether everything finished within the grace.
   */
  async drain(server: Server, graceMs: number): Promise<boolean> {
    this.started = true;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    for (const stream of this.streams) stream.end();
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<'expired'>((resolve) => (timer = setTimeout(() => resolve('expired'), graceMs)));
    // Keep-alive connections that go idle after their answer are closed as they do.
    const idle = setInterval(() => server.closeIdleConnections(), 250);
    try {
      const outcome = await Promise.race([closed.then(() => 'closed' as const), expired]);
      if (outcome === 'expired') {
        server.closeAllConnections();
        await closed;
        return false;
      }
      return true;
    } finally {
      clearTimeout(timer);
      clearInterval(idle);
    }
  }
}
