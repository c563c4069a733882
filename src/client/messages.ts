/**
 * Messages: send one and wait for its turn, follow its turn as a stream of events, or signal it
 * without waiting. The first message starts the session; large content is stored before it is sent.
 */
import { z } from 'zod';
import { sendMessageUpdate, CONVERSATION_WORKFLOW_TYPE, userMessageSignal } from '../shared/messages';
import type { TurnResult, UserMessage } from '../shared/schemas';
import type { StreamEvent } from '../shared/stream';
import { readStreamEvents, readStreamHead } from '../postgres/stream-events';
import { followTurn, type SentTurn, type StreamSource } from './turn-stream';
import { check, checkMessage, checkSessionId, checkStart, type MessageInput, type StartOptions, type WithParts } from './checks';
import type { Transport } from './transport';
import { timedSentMessage } from '../telemetry/metrics';

/** The offset a resumed stream continues after. */
const StreamOffset = z.number().int().nonnegative();

/** Sends a message and waits for its turn's result (see `SessionsClient.send`). */
export async function send(transport: Transport, sessionId: string, message: MessageInput | UserMessage, start: StartOptions): Promise<TurnResult> {
  return timedSentMessage(() => sendChecked(transport, checkSessionId(sessionId), checkMessage(message), start));
}

/** Sends a checked message (storing its large content first); `onAccepted` is called once the session has taken it. */
async function sendChecked(transport: Transport, id: string, message: WithParts<UserMessage & { id: string }>, start: StartOptions, onAccepted?: () => void): Promise<TurnResult> {
  const startArgs = checkStart(start);
  await transport.refuseDeleted(id);
  await transport.storeParts(id, message.parts);
  const result = await transport.update(id, sendMessageUpdate, message.value, message.value.id, transport.startOperation(id, startArgs), onAccepted);
  return transport.resolved(id, result);
}

/** Sends a message and follows its turn as it runs (see `SessionsClient.stream`). */
export function stream(
  transport: Transport,
  sessionId: string,
  message: MessageInput | UserMessage,
  options: StartOptions & { after?: number; signal?: AbortSignal },
): AsyncGenerator<StreamEvent> {
  const { after = 0, signal, ...start } = options;
  const offset = check(StreamOffset, after, 'invalid offset (after)');
  const id = checkSessionId(sessionId);
  const checked = checkMessage(message);
  const pool = transport.requirePool();
  const notifications = transport.notifications(pool);
  const source: StreamSource = {
    read: (from, limit) => transport.read(() => readStreamEvents(pool, id, checked.value.id, from, limit)),
    lastOffset: () => transport.read(() => readStreamHead(pool, id, checked.value.id)),
    wait: (fallbackMs, wake) => notifications.wait(id, fallbackMs, wake),
  };
  const sent = (): SentTurn => {
    let markAccepted = () => undefined as void;
    const accepted = new Promise<void>((resolve) => (markAccepted = resolve));
    return { accepted, outcome: sendChecked(transport, id, checked, start, markAccepted) };
  };
  return followTurn(source, checked.value.id, sent, offset, signal);
}

/** Sends a message without waiting (fire and forget); returns the message id. */
export async function signal(transport: Transport, sessionId: string, message: MessageInput | UserMessage, start: StartOptions): Promise<string> {
  const id = checkSessionId(sessionId);
  const checked = checkMessage(message);
  const startArgs = checkStart(start);
  await transport.guard.check();
  await transport.refuseDeleted(id);
  await transport.storeParts(id, checked.parts);
  await transport.call(id, (temporal) =>
    temporal.workflow.signalWithStart(CONVERSATION_WORKFLOW_TYPE, {
      workflowId: id,
      taskQueue: transport.taskQueue,
      args: [startArgs],
      signal: userMessageSignal,
      signalArgs: [checked.value],
      workflowIdReusePolicy: 'REJECT_DUPLICATE',
    }),
  );
  return checked.value.id;
}
