/** The workflow's bounded map: newest entries kept within a count and a byte budget, oldest evicted first. */
import { BoundedMap } from '../../src/workflows/bounded-map';

test('evicts the oldest entries beyond the count', () => {
  const map = new BoundedMap<string, number>(2, 1_000);
  map.set('a', 1);
  map.set('b', 2);
  map.set('c', 3);
  expect(map.values()).toEqual([2, 3]);
  expect(map.has('a')).toBe(false);
});

test('evicts the oldest entries beyond the byte budget, measured as JSON', () => {
  const map = new BoundedMap<number, string>(100, 25);
  map.set(1, 'x'.repeat(10)); // 12 bytes as JSON
  map.set(2, 'y'.repeat(10));
  map.set(3, 'z'.repeat(10));
  expect(map.values()).toEqual(['y'.repeat(10), 'z'.repeat(10)]);
});

test('setting a key again makes it the newest; deleting frees its bytes', () => {
  const map = new BoundedMap<string, string>(2, 1_000);
  map.set('a', 'first');
  map.set('b', 'second');
  map.set('a', 'again');
  map.set('c', 'third');
  expect(map.values()).toEqual(['again', 'third']);
  const tight = new BoundedMap<string, string>(10, 10);
  tight.set('a', 'x'.repeat(6));
  tight.delete('a');
  tight.set('b', 'y'.repeat(6));
  expect(tight.values()).toEqual(['y'.repeat(6)]);
});
