/**
 * Sealing of what the Postgres projection stores of a conversation (items, streamed events, memories,
 * staged imports) with the same keys as Temporal's payloads: AES-256-GCM, each value naming its key.
 * Readers open sealed and plain values alike, so sealing can be switched on for a projection that
 * already holds plain rows.
 */
import { InvalidInputError, EncryptionKeyError } from '../shared/errors';
import { openBytes, sealBytes } from './aes-gcm';
import type { KeyRing } from './key-ring';

/** The key of the one-key object a sealed JSON value is stored as: `{ "$sealed": "<key id>:<base64>" }`. */
export const SEALED_JSON_KEY = '$sealed';

/** A text as stored: the text itself, or its sealed form and `sealed: true`. */
export interface StoredText {
  text: string;
  sealed: boolean;
}

/** Seals values before they are stored (when sealing is on) and opens sealed values read back. */
export class ContentSealer {
  /** `keys` open sealed values; with `seal`, new values are sealed with the first key. */
  constructor(
    private readonly keys: KeyRing | undefined,
    readonly seal: boolean,
  ) {
    if (seal && !keys) throw new InvalidInputError('encrypting the projection needs AGENT_SESSIONS_ENCRYPTION_KEYS');
  }

  /** A JSON value to store: sealed when sealing is on, the value itself otherwise. */
  sealJson(value: unknown): unknown {
    return this.seal ? { [SEALED_JSON_KEY]: this.sealString(JSON.stringify(value)) } : value;
  }

  /** A stored JSON value, opened when it was sealed. */
  openJson(stored: unknown): unknown {
    const token = sealedToken(stored);
    return token === undefined ? stored : JSON.parse(this.openString(token));
  }

  /** A text to store: sealed when sealing is on. */
  sealText(text: string): StoredText {
    return this.seal ? { text: this.sealString(text), sealed: true } : { text, sealed: false };
  }

  /** A stored text, opened when it was sealed. */
  openText(stored: StoredText): string {
    return stored.sealed ? this.openString(stored.text) : stored.text;
  }

  /**
   * The value to store instead of `stored` so that it is sealed with the current key (one sealed with
   * another key, or a plain one while sealing is on), or undefined when it is fine as it is.
   */
  resealJson(stored: unknown): unknown {
    const token = sealedToken(stored);
    if (token === undefined) return this.seal ? this.sealJson(stored) : undefined;
    if (this.isCurrent(token)) return undefined;
    return { [SEALED_JSON_KEY]: this.sealString(this.openString(token)) };
  }

  /** As `resealJson`, for a stored text. */
  resealText(stored: StoredText): StoredText | undefined {
    if (!stored.sealed) return this.seal ? this.sealText(stored.text) : undefined;
    if (this.isCurrent(stored.text)) return undefined;
    return { text: this.sealString(this.openString(stored.text)), sealed: true };
  }

  private isCurrent(token: string): boolean {
    return token.slice(0, token.indexOf(':')) === this.requireKeys().current.id;
  }

  private sealString(text: string): string {
    const { keyId, sealed } = sealBytes(this.requireKeys(), Buffer.from(text, 'utf8'));
    return `${keyId}:${sealed.toString('base64')}`;
  }

  private openString(token: string): string {
    const at = token.indexOf(':');
    return openBytes(this.requireKeys(), token.slice(0, at), Buffer.from(token.slice(at + 1), 'base64')).toString('utf8');
  }

  private requireKeys(): KeyRing {
    if (!this.keys) throw new EncryptionKeyError("the projection's content is encrypted: set AGENT_SESSIONS_ENCRYPTION_KEYS to the worker's keys");
    return this.keys;
  }
}

/** The token of a sealed JSON value, or undefined when the value is plain. */
function sealedToken(stored: unknown): string | undefined {
  if (typeof stored !== 'object' || stored === null || Array.isArray(stored)) return undefined;
  const keys = Object.keys(stored);
  const token = (stored as Record<string, unknown>)[SEALED_JSON_KEY];
  return keys.length === 1 && typeof token === 'string' ? token : undefined;
}
