/** Text every store can keep: what is refused, what is repaired, and what passes untouched. */
import { SessionId, UserMessage, JsonObject, Labels, LabelKey, LabelsPatch } from '../../src/shared/schemas';
import { findUnstorable, repairJson, repairText, unstorableReason } from '../../src/shared/text';

describe('unstorableReason', () => {
  test('accepts ordinary text, emoji and other astral characters', () => {
    for (const text of ['', 'hello', 'naïve café', 'emoji 😀 ok', '𝔘𝔫𝔦𝔠𝔬𝔡𝔢', 'tab\tand\nnewline']) expect(unstorableReason(text)).toBeUndefined();
  });

  test('names a NUL character and its index', () => {
    expect(unstorableReason('ab\u0000c')).toContain('NUL character (\\u0000) at index 2');
  });

  test('names a lone high or low surrogate, and a reversed pair', () => {
    expect(unstorableReason('x\ud83d')).toContain('lone surrogate (\\ud83d) at index 1');
    expect(unstorableReason('\ude00x')).toContain('lone surrogate (\\ude00) at index 0');
    expect(unstorableReason('\ude00\ud83d')).toContain('lone surrogate');
  });
});

describe('repairText', () => {
  test('removes NUL and replaces lone surrogates with U+FFFD, keeping valid pairs', () => {
    expect(repairText('a\u0000b')).toBe('ab');
    expect(repairText('truncated emoji \ud83d')).toBe('truncated emoji \ufffd');
    expect(repairText('😀\ude00')).toBe('😀\ufffd');
    expect(repairText('fine')).toBe('fine');
  });

  test('repairJson repairs keys and strings at any depth and leaves other values alone', () => {
    expect(repairJson({ 'k\u0000': ['v\ud800', { n: 1, b: true, z: null }] })).toEqual({ k: ['v\ufffd', { n: 1, b: true, z: null }] });
  });
});

describe('the boundary schemas', () => {
  test('refuse a message, a context value or key, and a session id holding what cannot be stored', () => {
    expect(UserMessage.safeParse({ text: 'hi\u0000' }).success).toBe(false);
    expect(UserMessage.safeParse({ input: [{ type: 'message', role: 'user', content: [{ type: 'input_text', text: '\udfff' }] }] }).success).toBe(false);
    expect(UserMessage.safeParse({ id: 'id\u0000', text: 'hi' }).success).toBe(false);
    expect(JsonObject.safeParse({ nested: { deep: ['\ud800'] } }).success).toBe(false);
    expect(findUnstorable({ 'bad\u0000key': 1 })?.reason).toContain('key');
    for (const id of ['a\u0000b', 'has space', 'tab\there', 'bell\u0007', '', 'x'.repeat(201), 'lone\ud800']) expect(SessionId.safeParse(id).success).toBe(false);
    for (const id of ['alice:support', 'user_1/orders', 'a@b.c+d=e-f', 'user#1', 'ünicode:støtte']) expect(SessionId.safeParse(id).success).toBe(true);
  });
});

test('an error about a key that cannot be stored shows the key escaped, never the raw character', () => {
  const result = JsonObject.safeParse({ 'a\u0000': 1 });
  expect(result.success).toBe(false);
  const message = result.error?.issues[0].message ?? '';
  expect(message).toContain('a\\u0000');
  expect(message).not.toContain('\u0000');
});

test('an item with a key the schema does not name keeps it exactly, never silently stripped', () => {
  const input = [{ type: 'message', role: 'user', content: [{ type: 'input_text', text: 'a', nested: {} }] }];
  const result = UserMessage.safeParse({ input });
  expect(result.data?.input).toEqual(input);
});

test('a context or labels with a key named "__proto__" are refused, not kept without it (zod skips that key without a word)', () => {
  const context = JsonObject.safeParse(JSON.parse('{"__proto__":{"admin":true},"k":"v"}'));
  expect(context.success).toBe(false);
  expect(context.error?.issues[0].message).toContain('"__proto__"');
  expect(Labels.safeParse(JSON.parse('{"__proto__":"x"}')).success).toBe(false);
  expect(LabelsPatch.safeParse(JSON.parse('{"labels":{"__proto__":"x"}}')).success).toBe(false);
  expect(LabelKey.safeParse('__proto__').success).toBe(false);
  expect(JsonObject.safeParse({ nested: JSON.parse('{"__proto__":1}') }).success).toBe(true);
});
