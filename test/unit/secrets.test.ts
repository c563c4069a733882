/** Secret context values: how they are withheld, revealed, scrubbed from text and checked. */
import { findMalformedSecret, rehiddenSecrets, revealedSecrets, scrubbedOfSecrets, secret, withheldSecrets, withSecretsScrubbed } from '../../src/shared/secrets';

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

  test('are scrubbed from the message and stack of an error thrown by tool code, its causes, and a thrown value that is not an Error', async () => {
    const error = await withSecretsScrubbed(['token-1234567'], async () => {
      throw new Error('the CRM refused token-1234567', { cause: new Error('401 for token-1234567') });
    }).catch((thrown: Error) => thrown);
    expect(error.message).toBe('the CRM refused [secret]');
    expect(error.stack).not.toContain('token-1234567');
    expect((error.cause as Error).message).toBe('401 for [secret]');
    const thrownText = await withSecretsScrubbed(['token-1234567'], async () => {
      throw 'bad token-1234567';
    }).catch((thrown: Error) => thrown);
    expect(thrownText).toBeInstanceOf(Error);
    expect(thrownText.message).toBe('bad [secret]');
  });

  test('are hidden again after a tool ran: kept where it left them, new where it wrote another text, plain where it wrote something else', () => {
    const before = { crm: { token: secret('token-1234567'), cursor: 1 }, pin: secret('pin-00000000'), gone: secret('gone-00000000'), withheld: { $secret: null } };
    const after = { crm: { token: 'token-1234567', cursor: 2 }, pin: 'pin-99999999', gone: 42, withheld: null, added: 'x' };
    expect(rehiddenSecrets(before, after)).toEqual({
      crm: { token: secret('token-1234567'), cursor: 2 },
      pin: secret('pin-99999999'),
      gone: 42,
      withheld: { $secret: null },
      added: 'x',
    });
  });

  test('are objects whose one key is $secret, holding 8 to 4096 characters (or null once withheld); other objects with that key are plain data', () => {
    expect(findMalformedSecret(context)).toBeUndefined();
    expect(findMalformedSecret({ a: { $secret: null } })).toBeUndefined();
    expect(findMalformedSecret({ a: [{ $secret: 'short' }] })?.path).toBe('a.0');
    expect(findMalformedSecret({ a: { $secret: 42 } })?.reason).toMatch(/text of 8 to 4096 characters/);
    expect(findMalformedSecret({ a: { $secret: 'x'.repeat(4097) } })).toBeDefined();
    expect(findMalformedSecret({ schema: { properties: { $secret: { type: 'string' }, other: {} } } })).toBeUndefined();
  });
});
