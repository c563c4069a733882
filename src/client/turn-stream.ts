/**
 * Follows one message's turn as a stream of events: `started` once the session has taken the message,
 * then the events its activities stored after the offset the caller gives (read again whenever Postgres
 * notifies), then the turn's result. The result is given after a catch-up read that began once the
 * turn had settled, so no event is missed; offsets only grow, so none is given twice.
 */
import { InvalidInputError } from '../shared/errors';
import type { TurnResult } from '../shared/schemas';
import type { StoredStreamEvent, StreamEvent } from '../shared/stream';

/** How a turn stream reads stored events and waits for news. */
export interface StreamSource {
  /** Events after `after`, in order, at most `limit`. */
  read(after: number, limit: number): Promise<Array<StoredStreamEvent & { offset: number }>>;
  /** The offset of the stream's last event, or undefined when it has none. */
  lastOffset(): Promise<number | undefined>;
  /** Resolves on news, when `signal` aborts, or after `fallbackMs`. */
  wait(fallbackMs: number, signal: AbortSignal): Promise<void>;
}

/** A sent message: when the session took it, and its turn's result. */
export interface SentTurn {
  accepted: Promise<void>;
  outcome: Promise<TurnResult>;
}

/** Events read at a time. */
const PAGE = 500;

/** How long a reader waits for a notification before it reads anyway. */
const FALLBACK_MS = 250;

/**
 * The events of a turn after offset `after`: `started`, the stored events, then `done`. `send` is
 * called once, after a resumed offset is checked; a message the session refuses throws before
 * `started`, a failed turn after every event it stored. Aborting `signal` ends the stream quietly.
 */
export async function* followTurn(
  source: StreamSource,
  messageId: string,
  send: () => SentTurn,
  after: number,
  signal?: AbortSignal,
): AsyncGenerator<StreamEvent, void, undefined> {
  if (after > 0) {
    const last = await source.lastOffset();
    if (last === undefined || last < after) {
      throw new InvalidInputError(
        `the stream of message ${messageId} has no events after offset ${after} (it ${last === undefined ? 'has none' : `reached offset ${last}`}); ` +
          'resume with an offset this stream gave, or send without `after`',
      );
    }
  }
  const { accepted, outcome } = send();
  let settled: { result: TurnResult } | { error: unknown } | undefined;
  const done = new AbortController();
  outcome.then(
    (result) => {
      settled = { result };
      done.abort();
    },
    (error: unknown) => {
      settled = { error };
      done.abort();
    },
  );
  await Promise.race([accepted, outcome]);
  yield { type: 'started', messageId };
  const wake = signal ? AbortSignal.any([done.signal, signal]) : done.signal;
  let last = after;
  for (;;) {
    if (signal?.aborted) return;
    const final = settled;
    const events = await source.read(last, PAGE);
    for (const event of events) {
      last = event.offset;
      yield event;
    }
    if (events.length === PAGE) continue;
    if (final && 'result' in final) {
      yield { type: 'done', result: final.result };
      return;
    }
    if (final) throw final.error;
    await source.wait(FALLBACK_MS, wake);
  }
}
