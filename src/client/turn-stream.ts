/**
 * Follows one message's turn as a stream of events: the events its activities stored after the offset
 * the caller gives, read again whenever Postgres notifies, then the turn's result. The result is read
 * after the last catch-up read that began once the turn had settled, so no event is missed, and
 * offsets only grow, so none is given twice.
 */
import type { TurnResult } from '../shared/schemas';
import type { StoredStreamEvent, StreamEvent } from '../shared/stream';

/** How a turn stream reads stored events and waits for news. */
export interface StreamSource {
  /** Events after `after`, in order, at most `limit`. */
  read(after: number, limit: number): Promise<Array<StoredStreamEvent & { offset: number }>>;
  /** Resolves on news, when `settled` settles, or after `fallbackMs`. */
  wait(fallbackMs: number, settled: Promise<unknown>): Promise<void>;
}

/** Events read at a time. */
const PAGE = 500;

/** How long a reader waits for a notification before it reads anyway. */
const FALLBACK_MS = 250;

/**
 * The events of a turn after offset `after`: `started`, the stored events, then `done`; when the turn
 * fails, every stored event is given and then `outcome`'s error is thrown.
 */
export async function* followTurn(
  source: StreamSource,
  messageId: string,
  outcome: Promise<TurnResult>,
  after: number,
): AsyncGenerator<StreamEvent, void, undefined> {
  let settled: { result: TurnResult } | { error: unknown } | undefined;
  const settling = outcome.then(
    (result) => {
      settled = { result };
    },
    (error: unknown) => {
      settled = { error };
    },
  );
  yield { type: 'started', messageId };
  let last = after;
  for (;;) {
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
    await source.wait(FALLBACK_MS, settling);
  }
}
