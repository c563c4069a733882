/** Secret context values: how they are withheld, revealed, scrubbed from text and checked. */
import { findMalformedSecret, revealedSecrets, scrubbedOfSecrets, secret, withheldSecrets, withSecretsScrubbed } from '../../src/shared/secrets';

describe('secret context values', () => {
  const context = { plan: 'gold', crm: { token: secret('token-1234567') }, keys: [secret('key-abcdefgh')] };

  test('are withheld from reads, and revealed as their text to tools, longest first', () => {
    expect(withheldSecrets(context)).toEqual({ plan: 'gold', crm: { token: { $secret: null } }, keys: [{ $secret: null }] });
    expect(revealedSecrets(context)).toEqual({ context: { plan: 'gold', crm: { token: 'token-1234567' }, keys: ['key-abcdefgh'] }, secrets: ['token-1234567', 'key-abcdefgh'] });
  });

  test('are replaced by [secret] wherever their text occurs, a secret inside a longer one included, but not inside secret values', () => {
    const { secrets } = revealedSecrets({ short: secret('abcdefgh'), long: secret('abcdefgh-more') });
    expect(scrubbedOfSecrets({ text: 'x abcdefgh-more y abcdefgh z', kept: secret('abcdefgh') }, secrets)).toEqual({ text: 'x [secret] y [secret] z', kept: secret('abcdefgh') });
  });

  test('are scrubbed from the message and stack of an error thrown by tool code', async () => {
    const error = await withSecretsScrubbed(['token-1234567'], async () => {
      throw new Error('the CRM refused token-1234567');
    }).catch((thrown: Error) => thrown);
    expect(error.message).toBe('the CRM refused [secret]');
    expect(error.stack).not.toContain('token-1234567');
  });

  test('must be one $secret key holding 8 to 4096 characters (or null once withheld)', () => {
    expect(findMalformedSecret(context)).toBeUndefined();
    expect(findMalformedSecret({ a: { $secret: null } })).toBeUndefined();
    expect(findMalformedSecret({ a: [{ $secret: 'short' }] })?.path).toBe('a.0');
    expect(findMalformedSecret({ a: { $secret: 'long enough', note: 1 } })?.reason).toMatch(/and nothing else/);
    expect(findMalformedSecret({ a: { $secret: 'x'.repeat(4097) } })).toBeDefined();
  });
});
