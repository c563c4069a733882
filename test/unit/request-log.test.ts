/** An HTTP request's log line: the route, session, status and the message id of a message's answer only. */
import { Writable } from 'node:stream';
import { createLogger } from '../../src/logging/logger';
import { RequestLog } from '../../src/server/request-log';
import { MESSAGES_ROUTE } from '../../src/server/routes';

/** The line one request writes. */
function lineOf(route: string, answer: unknown): Record<string, unknown> {
  let written = '';
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      written += chunk.toString('utf8');
      done();
    },
  });
  const log = new RequestLog(createLogger({ destination }), 'GET', '/ignored');
  log.routed(route, { id: 'ada:support' });
  log.answered(answer);
  log.write(200);
  return JSON.parse(written) as Record<string, unknown>;
}

describe("a request's log line", () => {
  test("carries the message id of a message's answer", () => {
    expect(lineOf(MESSAGES_ROUTE, { messageId: 'm-1', reply: 'hi' })).toMatchObject({ route: MESSAGES_ROUTE, sessionId: 'ada:support', messageId: 'm-1', status: 200 });
  });

  test('never reads another answer, so a context value named messageId stays out of it', () => {
    const line = lineOf('/v1/sessions/:id/context', { messageId: 'private value' });
    expect(JSON.stringify(line)).not.toContain('private value');
  });
});
