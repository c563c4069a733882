/** The process logger: JSON lines whose errors keep their text only where the sessions are not private. */
import { Writable } from 'node:stream';
import { ApplicationFailure } from '@temporalio/common';
import { createLogger } from '../../src/logging/logger';
import { PinoTemporalLogger } from '../../src/worker/temporal-logging';

/** A logger writing into an array of parsed lines. */
function capture(options: { withholdErrorText?: boolean } = {}) {
  const lines: Array<Record<string, unknown>> = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n').filter(Boolean)) lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  return { lines, logger: createLogger({ ...options, destination }) };
}

const toolError = () => ApplicationFailure.retryable('lookup failed for passport XK93-7781', 'ToolBroke');

describe('the logger', () => {
  test('withholds the text of errors when asked: a line keeps the class and failure type, never the message or stack', () => {
    const { lines, logger } = capture({ withholdErrorText: true });
    logger.warn({ err: toolError(), error: 'callTool failed: XK93-7781' }, 'Activity failed');
    expect(JSON.stringify(lines)).not.toContain('XK93');
    expect(lines[0]).toMatchObject({ err: { type: 'ApplicationFailure', failureType: 'ToolBroke' }, error: expect.stringContaining('withheld') });
  });

  test('keeps the text of errors otherwise', () => {
    const { lines, logger } = capture({ withholdErrorText: false });
    logger.warn({ err: toolError() }, 'Activity failed');
    expect(lines[0]).toMatchObject({ err: { message: 'lookup failed for passport XK93-7781' } });
  });

  test('withholds by default when the encryption keys are set in the environment', () => {
    const before = process.env.AGENT_SESSIONS_ENCRYPTION_KEYS;
    process.env.AGENT_SESSIONS_ENCRYPTION_KEYS = 'k1:AAAA';
    try {
      const { lines, logger } = capture();
      logger.warn({ err: toolError() }, 'Activity failed');
      expect(JSON.stringify(lines)).not.toContain('XK93');
    } finally {
      if (before === undefined) delete process.env.AGENT_SESSIONS_ENCRYPTION_KEYS;
      else process.env.AGENT_SESSIONS_ENCRYPTION_KEYS = before;
    }
  });
});

describe("Temporal's log lines through pino", () => {
  test("a workflow line's failure type and error text stay as they were logged", () => {
    const { lines, logger } = capture({ withholdErrorText: false });
    new PinoTemporalLogger(logger).warn('turn ended', { outcome: 'failed', failureType: 'MaxTurnsExceeded', error: 'the agent called the model 10 times' });
    expect(lines[0]).toMatchObject({ msg: 'turn ended', failureType: 'MaxTurnsExceeded', error: 'the agent called the model 10 times' });
  });

  test("an error object becomes err, with an ApplicationFailure's type as failureType, and the task token is left out", () => {
    const { lines, logger } = capture({ withholdErrorText: false });
    new PinoTemporalLogger(logger).warn('Activity failed', { error: toolError(), taskToken: 'token-bytes' });
    expect(lines[0]).toMatchObject({ failureType: 'ToolBroke', err: { message: 'lookup failed for passport XK93-7781' } });
    expect(lines[0]).not.toHaveProperty('taskToken');
  });
});
