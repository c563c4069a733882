/** Which strings of an item are large content kept out of Temporal, and the walks that swap them for references and back. */
import { CONTENT_REF_PREFIX, isContentRef } from '../../src/shared/content-parts';
import { findContentRefs, largeContentBytes, replaceContentRefs, reservedRefPath } from '../../src/shared/content-refs';
import { withContentRefs } from '../../src/postgres/content-parts';
import { INLINE_CONTENT_CHARS } from '../../src/shared/limits';

const big = (head: string) => `${head}${'A'.repeat(INLINE_CONTENT_CHARS + 4)}`;

test('large data URLs anywhere, generated images and long encrypted contents become references; the rest stays', () => {
  const image = big('data:image/png;base64,');
  const small = 'data:image/png;base64,AAAA';
  const items = [
    {
      type: 'message',
      role: 'user',
      content: [
        { type: 'input_text', text: 'hi' },
        { type: 'input_image', image_url: image },
        { type: 'input_image', image_url: small },
      ],
    },
    { type: 'image_generation_call', id: 'ig_1', status: 'completed', result: 'iVBORw0KGgo=' },
    { type: 'reasoning', summary: [], encrypted_content: big('gAAAA') },
    { type: 'compaction', encrypted_content: 'short' },
    { type: 'function_call_output', call_id: 'c1', output: image },
  ];
  const { value, parts } = withContentRefs(items);
  expect(parts.size).toBe(3);
  const [message, generated, reasoning, compaction, output] = value as Array<Record<string, unknown>>;
  expect(isContentRef((message.content as Array<{ image_url?: string }>)[1].image_url!)).toBe(true);
  expect((message.content as Array<{ image_url?: string }>)[2].image_url).toBe(small);
  expect(isContentRef(generated.result as string)).toBe(true);
  expect(isContentRef(reasoning.encrypted_content as string)).toBe(true);
  expect(compaction).toBe(items[3]);
  expect(output.output).toBe((message.content as Array<{ image_url?: string }>)[1].image_url);
  expect(findContentRefs(value)).toHaveLength(3);
  // Replacing the references back gives the items exactly as given; the input is never changed.
  const byHash = new Map([...parts].map(([hash, content]) => [`${CONTENT_REF_PREFIX}${hash}`, content]));
  expect(replaceContentRefs(value, (ref) => byHash.get(ref)!)).toEqual(items);
  expect((items[0].content as Array<{ image_url?: string }>)[1].image_url).toBe(image);
});

test('a reserved prefix is found wherever a caller put it; sizes count a data URL decoded', () => {
  expect(reservedRefPath([{ type: 'message', content: [{ type: 'input_text', text: `${CONTENT_REF_PREFIX}x` }] }])).toBe('0.content.0.text');
  expect(reservedRefPath({ text: 'agent-sessions-content is fine' })).toBeUndefined();
  expect(largeContentBytes({ image_url: big('data:image/png;base64,') })).toBe(((INLINE_CONTENT_CHARS + 4) / 4) * 3);
});

test("the Agents SDK's bare base64 images and files become references too, so they never ride in a payload", () => {
  const base64 = 'A'.repeat(INLINE_CONTENT_CHARS + 4);
  const items = [
    {
      type: 'message',
      role: 'user',
      content: [
        { type: 'input_image', image: base64 },
        { type: 'input_file', file: base64 },
        { type: 'input_text', text: base64 },
      ],
    },
  ];
  const { value, parts } = withContentRefs(items);
  expect(parts.size).toBe(1);
  const content = (value as unknown as Array<{ content: Array<Record<string, string>> }>)[0].content;
  expect(isContentRef(content[0].image)).toBe(true);
  expect(isContentRef(content[1].file)).toBe(true);
  expect(content[2].text).toBe(base64);
});

test('what a model or a tool produced that looks like a reference is stored as content, so it reads back as that very string', () => {
  const echoed = `${CONTENT_REF_PREFIX}${'0'.repeat(64)}`;
  const items = [
    { type: 'message', role: 'assistant', content: [{ type: 'output_text', text: echoed }] },
    { type: 'function_call_output', call_id: 'c1', output: `${CONTENT_REF_PREFIX}not-even-hex` },
  ];
  // A caller's value never gets here with one (refused as reserved); a model's reply is stored apart.
  expect(withContentRefs(items).parts.size).toBe(0);
  const { value, parts } = withContentRefs(items, { produced: true });
  expect(parts.size).toBe(2);
  const refs = findContentRefs(value);
  expect(refs).toHaveLength(2);
  expect(refs).not.toContain(echoed);
  const byHash = new Map([...parts].map(([hash, content]) => [`${CONTENT_REF_PREFIX}${hash}`, content]));
  expect(replaceContentRefs(value, (ref) => byHash.get(ref)!)).toEqual(items);
});
