/** Which memories a turn recalls: none, all, the latest N, or the N that share the most words with the message. */
import { chooseMemories, MAX_RECALLED_MEMORIES, memorySection } from '../../src/activities/memory';
import type { Memory } from '../../src/shared/memory';

/** Memories, most recent first, as the store returns them. */
const memories: Memory[] = ['Likes hiking in the Alps.', 'Vegetarian; no fish either.', 'Works as a nurse on night shifts.', 'Hiking boots are size 42.'].map((text, index) => ({
  id: index + 1,
  userId: 'ada',
  key: null,
  text,
  sourceSession: null,
  createdAt: '',
  updatedAt: '',
}));
const texts = (chosen: Memory[]) => chosen.map((memory) => memory.text);

test('none recalls nothing and all recalls everything', () => {
  expect(chooseMemories(memories, 'none', 'hiking')).toEqual([]);
  expect(chooseMemories(memories, 'all', '')).toEqual(memories);
});

test('latest N recalls the N most recent', () => {
  expect(texts(chooseMemories(memories, { latest: 2 }, ''))).toEqual(['Likes hiking in the Alps.', 'Vegetarian; no fish either.']);
});

test('keywords recalls the memories sharing the most words with the message, most recent first on a tie, none sharing no word', () => {
  expect(texts(chooseMemories(memories, { keywords: 5 }, 'Which hiking boots for the Alps?'))).toEqual(['Likes hiking in the Alps.', 'Hiking boots are size 42.']);
  expect(texts(chooseMemories(memories, { keywords: 1 }, 'What FISH can I eat?'))).toEqual(['Vegetarian; no fish either.']);
  expect(chooseMemories(memories, { keywords: 3 }, 'Hello there')).toEqual([]);
});

test('no setting recalls more than the cap', () => {
  const many = Array.from({ length: MAX_RECALLED_MEMORIES + 5 }, (_, index) => ({ ...memories[0], id: index + 1 }));
  expect(chooseMemories(many, 'all', '')).toHaveLength(MAX_RECALLED_MEMORIES);
  expect(chooseMemories(many, { latest: 10_000 }, '')).toHaveLength(MAX_RECALLED_MEMORIES);
});

test('the instructions section lists each memory with its id and key, and is empty without memories', () => {
  expect(memorySection([])).toBe('');
  expect(memorySection([{ ...memories[1], key: 'diet' }])).toBe('\n\nWhat you remember about this user (from earlier conversations):\n- [#2 diet] Vegetarian; no fish either.');
});
