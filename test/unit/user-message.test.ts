/** The `UserMessage` validator: what a caller may send, and the bounds on it in characters and UTF-8 bytes. */
import { MAX_MESSAGE_BYTES, MAX_TEXT_LENGTH } from '../../src/shared/limits';
import { describeIssues, UserMessage, utf8Length } from '../../src/shared/schemas';

/** The messages of the issues zod reports for an input, or [] when it is accepted. */
function issuesOf(input: unknown): string[] {
  const result = UserMessage.safeParse(input);
  return result.success ? [] : result.error.issues.map((issue) => issue.message);
}

describe('UserMessage accepts', () => {
  test('a message with text and an id', () => {
    expect(UserMessage.parse({ id: 'm1', text: 'Hello' })).toEqual({ id: 'm1', text: 'Hello' });
  });

  test('a message with Responses-style user input items instead of text', () => {
    const input = [
      { type: 'message', role: 'user', content: 'Hello' },
      { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'again' }] },
    ];
    expect(UserMessage.parse({ input })).toEqual({ input });
  });
});

describe('UserMessage refuses', () => {
  test('a message with neither text nor input', () => {
    expect(issuesOf({ id: 'm1' })).toContain('a message needs text (or input items)');
  });

  test('a message with both text and input', () => {
    const input = [{ type: 'message', role: 'user', content: 'Hi' }];
    expect(issuesOf({ text: 'Hi', input })).toContain('give either text or input items, not both');
  });

  test('blank text', () => {
    expect(issuesOf({ text: ' \n\t ' })).toContain('text must not be empty');
  });

  test('text that is not a string', () => {
    expect(issuesOf({ text: 42 })).toContain('text must be a string');
  });

  test('text longer than MAX_TEXT_LENGTH characters, but not text of exactly that length', () => {
    expect(UserMessage.safeParse({ text: 'a'.repeat(MAX_TEXT_LENGTH) }).success).toBe(true);
    expect(issuesOf({ text: 'a'.repeat(MAX_TEXT_LENGTH + 1) })).toContain(`text must be at most ${MAX_TEXT_LENGTH} characters`);
  });

  test('unknown keys', () => {
    const result = UserMessage.safeParse({ text: 'Hi', priority: 'high' });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0].code).toBe('unrecognized_keys');
  });

  test('an input message with a role no API has', () => {
    const input = [{ type: 'message', role: 'robot', content: 'I am the model' }];
    const result = UserMessage.safeParse({ input });
    expect(result.error?.issues.map((issue) => issue.path.join('.'))).toEqual(['input.0.role']);
  });

  test('text within the character limit whose JSON form is over MAX_MESSAGE_BYTES', () => {
    // A control character is one character but six bytes once JSON-escaped (\u0001).
    const text = '\u0001'.repeat(MAX_TEXT_LENGTH);
    expect(issuesOf({ text })).toEqual([`a message must be at most ${MAX_MESSAGE_BYTES} bytes as JSON`]);
  });

  test('input items under MAX_MESSAGE_BYTES in UTF-16 code units but over it in UTF-8 bytes', () => {
    // 44,000 three-byte characters: 44,000 code units, 132,000 UTF-8 bytes.
    const input = [{ type: 'message', role: 'user', content: '€'.repeat(44_000) }];
    expect(JSON.stringify({ input }).length).toBeLessThan(MAX_MESSAGE_BYTES);
    expect(issuesOf({ input })).toEqual([`a message must be at most ${MAX_MESSAGE_BYTES} bytes as JSON`]);
  });
});

describe('the byte bound', () => {
  test('lets through the largest text of multi-byte characters the character limit allows', () => {
    // Three bytes per UTF-16 code unit is the most UTF-8 needs, so 32,000 characters stay under 128 KiB.
    expect(UserMessage.safeParse({ text: '€'.repeat(MAX_TEXT_LENGTH) }).success).toBe(true);
    expect(UserMessage.safeParse({ text: '😀'.repeat(MAX_TEXT_LENGTH / 2) }).success).toBe(true);
  });

  test('counts four-byte emoji as four bytes: 32,000 of them fit, 33,000 do not', () => {
    const fits = [{ type: 'message', role: 'user', content: '😀'.repeat(32_000) }];
    const tooBig = [{ type: 'message', role: 'user', content: '😀'.repeat(33_000) }];
    expect(UserMessage.safeParse({ input: fits }).success).toBe(true);
    expect(issuesOf({ input: tooBig })).toEqual([`a message must be at most ${MAX_MESSAGE_BYTES} bytes as JSON`]);
  });
});

describe('utf8Length', () => {
  test.each([
    ['an empty string', ''],
    ['ASCII', 'hello, world'],
    ['two-byte Latin letters', 'Grüße, çà'],
    ['three-byte characters', '€ 日本語'],
    ['four-byte emoji', '😀👍🏽🇫🇷'],
    ['a mix of all widths', 'a é € 😀 z'],
    ['a lone surrogate', 'x\ud800y'],
  ])('agrees with Buffer.byteLength for %s', (_name, text) => {
    expect(utf8Length(text)).toBe(Buffer.byteLength(text, 'utf8'));
  });
});

describe('describeIssues', () => {
  test('puts every issue on one line, naming the path of the field at fault', () => {
    const result = UserMessage.safeParse({ text: 42, extra: true });
    if (result.success) throw new Error('expected the message to be refused');
    const line = describeIssues(result.error);
    expect(line).not.toContain('\n');
    expect(line).toContain('text: text must be a string');
    expect(line.split('; ')).toHaveLength(result.error.issues.length);
  });
});
