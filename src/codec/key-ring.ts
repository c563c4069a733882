/**
 * The encryption keys: `id:base64key` pairs (32-byte AES-256 keys) separated by commas, as in
 * AGENT_SESSIONS_ENCRYPTION_KEYS. The first key encrypts; every key decrypts what it encrypted, so a
 * new key is rotated in by putting it first and keeping the old ones after it.
 */
import { InvalidInputError } from '../shared/errors';

/** One key and the id written beside each payload it encrypts. */
export interface EncryptionKey {
  id: string;
  key: Buffer;
}

/** The keys, the encrypting one first. */
export interface KeyRing {
  current: EncryptionKey;
  byId: ReadonlyMap<string, Buffer>;
}

/** A key id: what payload metadata may carry (letters, digits, `.`, `_`, `-`; 1–64 characters). */
const KEY_ID = /^[A-Za-z0-9._-]{1,64}$/;

/** Parses `id:base64key,...`; a malformed list is refused with what to fix (no key ever in the message). */
export function parseKeyRing(text: string): KeyRing {
  const keys = text
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean)
    .map((entry, index): EncryptionKey => {
      const at = entry.indexOf(':');
      const id = at < 0 ? '' : entry.slice(0, at);
      if (!KEY_ID.test(id)) throw new InvalidInputError(`encryption key ${index + 1} needs an id (letters, digits, ".", "_", "-") before a colon: id:base64key`);
      const key = Buffer.from(entry.slice(at + 1), 'base64');
      if (key.length !== 32) throw new InvalidInputError(`encryption key "${id}" must be 32 bytes in base64 (openssl rand -base64 32); it is ${key.length}`);
      return { id, key };
    });
  if (keys.length === 0) throw new InvalidInputError('no encryption keys given: id:base64key, the encrypting key first');
  const byId = new Map<string, Buffer>();
  for (const { id, key } of keys) {
    if (byId.has(id)) throw new InvalidInputError(`the encryption key id "${id}" is given twice`);
    byId.set(id, key);
  }
  return { current: keys[0], byId };
}
