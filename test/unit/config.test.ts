/** The environment as the worker, the CLI and the dev stack read it. */
import { loadConfig } from '../../src/config';
import { InvalidInputError } from '../../src/shared/errors';

describe('the configuration', () => {
  test('turns projection sealing on with true or 1, and leaves it off otherwise', () => {
    expect(loadConfig({ AGENT_SESSIONS_ENCRYPT_PROJECTION: 'true' }).encryptProjection).toBe(true);
    expect(loadConfig({ AGENT_SESSIONS_ENCRYPT_PROJECTION: '1' }).encryptProjection).toBe(true);
    expect(loadConfig({ AGENT_SESSIONS_ENCRYPT_PROJECTION: 'false' }).encryptProjection).toBe(false);
    expect(loadConfig({}).encryptProjection).toBe(false);
  });

  test('refuses a value it cannot read with the variable and what it takes, not a raw validation dump', () => {
    const error = (() => {
      try {
        loadConfig({ AGENT_SESSIONS_ENCRYPT_PROJECTION: 'yes' });
      } catch (thrown) {
        return thrown;
      }
    })();
    expect(error).toBeInstanceOf(InvalidInputError);
    expect((error as Error).message).toBe('AGENT_SESSIONS_ENCRYPT_PROJECTION: must be true or false (or 1 or 0)');
  });
});
