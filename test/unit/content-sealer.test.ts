/** Sealing the projection's content: values round-trip, plain values pass through, and what cannot be opened says why. */
import { randomBytes } from 'node:crypto';
import { ContentSealer } from '../../src/codec/content-sealer';
import { parseKeyRing } from '../../src/codec/key-ring';
import { EncryptionKeyError, InvalidInputError } from '../../src/shared/errors';

const key = (id: string) => `${id}:${randomBytes(32).toString('base64')}`;
const OLD = key('old');
const NEW = key('new');
const item = { type: 'message', role: 'user', content: 'my passport is XK93' };

describe('the content sealer', () => {
  test('seals JSON and text so that neither shows, and opens them again, after a rotation too', () => {
    const sealer = new ContentSealer(parseKeyRing(OLD), true);
    const sealed = sealer.sealJson(item);
    expect(JSON.stringify(sealed)).toMatch(/^\{"\$sealed":"old:/);
    expect(JSON.stringify(sealed)).not.toContain('XK93');
    const text = sealer.sealText('XK93 is my passport');
    expect(text.sealed).toBe(true);
    expect(text.text).not.toContain('XK93');
    const rotated = new ContentSealer(parseKeyRing(`${NEW},${OLD}`), true);
    expect(rotated.openJson(sealed)).toEqual(item);
    expect(rotated.openText(text)).toBe('XK93 is my passport');
  });

  test('passes plain values through, an object that only looks sealed included', () => {
    const sealer = new ContentSealer(parseKeyRing(OLD), false);
    expect(sealer.sealJson(item)).toEqual(item);
    expect(sealer.openJson(item)).toEqual(item);
    expect(sealer.openJson({ $sealed: 'old:abc', other: 1 })).toEqual({ $sealed: 'old:abc', other: 1 });
    expect(sealer.openText({ text: 'plain', sealed: false })).toBe('plain');
  });

  test('refuses what it cannot open: no keys, a key it lacks, tampered bytes', () => {
    const sealed = new ContentSealer(parseKeyRing(OLD), true).sealJson(item) as { $sealed: string };
    expect(() => new ContentSealer(undefined, false).openJson(sealed)).toThrow(EncryptionKeyError);
    expect(() => new ContentSealer(parseKeyRing(NEW), false).openJson(sealed)).toThrow(/key "old"/);
    const bytes = Buffer.from(sealed.$sealed.slice(4), 'base64');
    bytes[20] ^= 0xff;
    expect(() => new ContentSealer(parseKeyRing(OLD), false).openJson({ $sealed: `old:${bytes.toString('base64')}` })).toThrow(/cannot be opened: it was altered/);
  });

  test('will not seal without keys', () => {
    expect(() => new ContentSealer(undefined, true)).toThrow(InvalidInputError);
  });
});
