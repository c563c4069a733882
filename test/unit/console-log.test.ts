/** The dev console's logger: warnings and errors as one readable line each, info and the webpack report dropped. */
import { createConsoleLogger, readableLine } from '../../src/cli/console-log';
import { isBundleReport, PinoTemporalLogger } from '../../src/worker/temporal-logging';
import { createLogger } from '../../src/logging/logger';

const WEBPACK_REPORT =
  'asset workflow-bundle-b8d31209f698af2ccd57.js 4.76 MiB [emitted] [immutable] (name: main)\nmodules by path ./node_modules/ 1.42 MiB\n  modules by path ./node_modules/zod/ 987 KiB 95 modules';

/** A console logger for Temporal's runtime, and the lines it wrote. */
function consoleLogger(): { logger: PinoTemporalLogger; lines: string[] } {
  const lines: string[] = [];
  return { logger: new PinoTemporalLogger(createConsoleLogger((line) => lines.push(line))), lines };
}

const saved = process.env.AGENT_SESSIONS_LOG_LEVEL;
afterEach(() => {
  if (saved === undefined) delete process.env.AGENT_SESSIONS_LOG_LEVEL;
  else process.env.AGENT_SESSIONS_LOG_LEVEL = saved;
});

test('a warning and an error are one readable line each, with the session fields and the reason', () => {
  delete process.env.AGENT_SESSIONS_LOG_LEVEL;
  const { logger, lines } = consoleLogger();
  logger.warn('Activity failed', {
    sessionId: 'alice:support',
    turn: 2,
    activityType: 'callModel',
    attempt: 3,
    taskQueue: 'agent-sessions',
    error: new Error('model timed out\nat stack'),
  });
  logger.error('Worker failed', { error: 'the database went away' });
  expect(lines).toEqual([
    'warning: Activity failed (session alice:support, turn 2, activity callModel, attempt 3): Error: model timed out',
    'error: Worker failed: the database went away',
  ]);
});

test('info and debug are dropped by default, and the webpack report stays at debug', () => {
  delete process.env.AGENT_SESSIONS_LOG_LEVEL;
  const { logger, lines } = consoleLogger();
  logger.info(WEBPACK_REPORT);
  logger.info('Worker state changed', { state: 'RUNNING' });
  logger.debug('Creating worker');
  expect(lines).toEqual([]);

  process.env.AGENT_SESSIONS_LOG_LEVEL = 'info';
  const atInfo = consoleLogger();
  atInfo.logger.info(WEBPACK_REPORT);
  atInfo.logger.info('Worker state changed', { state: 'RUNNING' });
  expect(atInfo.lines).toEqual(['info: Worker state changed']);

  process.env.AGENT_SESSIONS_LOG_LEVEL = 'debug';
  const atDebug = consoleLogger();
  atDebug.logger.info(WEBPACK_REPORT);
  expect(atDebug.lines).toEqual([expect.stringMatching(/^debug: asset workflow-bundle-\S+ .*\(\+2 more lines; --log-json shows them\)$/)]);
});

test('recognises the bundler report and leaves other lines alone', () => {
  expect(isBundleReport(WEBPACK_REPORT)).toBe(true);
  expect(isBundleReport('Workflow bundle created')).toBe(false);
  expect(readableLine('not json')).toBeUndefined();
  expect(readableLine(JSON.stringify({ level: 'warn', msg: 'plain' }))).toBe('warning: plain');
});

test("the worker's JSON logs (worker, serve) carry the webpack report only at debug too", () => {
  const written: string[] = [];
  const jsonLogger = (level: string) => createLogger({ defaultLevel: level as 'info', destination: { write: (line: string) => written.push(line) } });
  delete process.env.AGENT_SESSIONS_LOG_LEVEL;
  new PinoTemporalLogger(jsonLogger('info')).info(WEBPACK_REPORT);
  new PinoTemporalLogger(jsonLogger('info')).info('Workflow bundle created', { size: '6.36MB' });
  expect(written.map((line) => JSON.parse(line).msg)).toEqual(['Workflow bundle created']);
  new PinoTemporalLogger(jsonLogger('debug')).info(WEBPACK_REPORT);
  expect(JSON.parse(written[1])).toMatchObject({ level: 'debug', msg: WEBPACK_REPORT });
});
