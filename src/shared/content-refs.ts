/**
 * Which strings of an item are large content kept out of Temporal (stored once in Postgres and carried
 * as a reference), and walks that replace them or find references. Pure and workflow-safe: hashing
 * and storage are the caller's (`src/postgres/content-parts.ts`).
 *
 * Large content is: a string that is a data URL (`data:…`) longer than INLINE_CONTENT_CHARS anywhere in
 * an item, the `result` of an `image_generation_call` (a generated image, base64), and an
 * `encrypted_content` or a bare base64 `image`, `file`, `file_data` or `data` longer than INLINE_CONTENT_CHARS.
 */
import { CONTENT_REF_PREFIX, isContentRef, parseDataUrl } from './content-parts';
import { INLINE_CONTENT_CHARS } from './limits';

/** The most content one message (or one `addItems`) may carry in its parts altogether: 50 MiB (decoded for data URLs). */
export const MAX_MESSAGE_CONTENT_BYTES = 50 * 1024 * 1024;

/** The reference string for a part whose string has this SHA-256 (hex). */
export function contentRef(sha256Hex: string): string {
  return `${CONTENT_REF_PREFIX}${sha256Hex}`;
}

/** The SHA-256 (hex) a reference names. */
export function refHash(ref: string): string {
  return ref.slice(CONTENT_REF_PREFIX.length);
}

/** Whether `value`, found under `key` of an object whose `type` is `parentType`, is content to store apart. */
export function isLargeContent(value: string, key: string | undefined, parentType: unknown): boolean {
  if (isContentRef(value)) return false;
  if (parentType === 'image_generation_call' && key === 'result') return value.length > 0;
  if (value.length <= INLINE_CONTENT_CHARS) return false;
  return key === 'encrypted_content' || value.startsWith('data:') || (key !== undefined && BASE64_KEYS.has(key));
}

/** Keys whose long strings are bare base64 data (the Agents SDK's `image`, `file` and screenshot `data`). */
const BASE64_KEYS = new Set(['image', 'file', 'file_data', 'data']);

/**
 * A copy of `value` with every large content string replaced by what `replace` gives for it; objects
 * and arrays without any are shared, not copied.
 */
export function replaceLargeContent<T>(value: T, replace: (content: string) => string): T {
  return walk(value, undefined, undefined, (text, key, parentType) => (isLargeContent(text, key, parentType) ? replace(text) : text)) as T;
}

/**
 * Like replaceLargeContent, for what a model or a tool produced: a string that starts with the
 * reference prefix (a model may say anything, and may be asked to repeat one) is content to store too,
 * so that it reads back as that very string, never as the part it names or a part that is missing.
 */
export function replaceProducedContent<T>(value: T, replace: (content: string) => string): T {
  return walk(value, undefined, undefined, (text, key, parentType) => (text.startsWith(CONTENT_REF_PREFIX) || isLargeContent(text, key, parentType) ? replace(text) : text)) as T;
}

/** A copy of `value` with every reference replaced by what `resolve` gives for it. */
export function replaceContentRefs<T>(value: T, resolve: (ref: string) => string): T {
  return walk(value, undefined, undefined, (text) => (isContentRef(text) ? resolve(text) : text)) as T;
}

/** Every large content string in `value`. */
export function findLargeContent(value: unknown): string[] {
  const found: string[] = [];
  replaceLargeContent(value, (content) => {
    found.push(content);
    return content;
  });
  return found;
}

/** Every reference in `value` (each once). */
export function findContentRefs(value: unknown): string[] {
  const found = new Set<string>();
  replaceContentRefs(value, (ref) => {
    found.add(ref);
    return ref;
  });
  return [...found];
}

/** Where `value` holds a string that starts with the reserved reference prefix (a caller may not send one), or undefined. */
export function reservedRefPath(value: unknown, path: string[] = []): string | undefined {
  if (typeof value === 'string') return value.startsWith(CONTENT_REF_PREFIX) ? path.join('.') || '(the value)' : undefined;
  if (Array.isArray(value)) {
    for (const [index, entry] of value.entries()) {
      const found = reservedRefPath(entry, [...path, String(index)]);
      if (found !== undefined) return found;
    }
    return undefined;
  }
  if (value && typeof value === 'object') {
    for (const [key, entry] of Object.entries(value)) {
      const found = reservedRefPath(entry, [...path, key]);
      if (found !== undefined) return found;
    }
  }
  return undefined;
}

/** How many bytes the large content of `value` holds: a data URL's decoded size, or the string's length. */
export function largeContentBytes(value: unknown): number {
  return findLargeContent(value).reduce((sum, content) => {
    const parsed = content.startsWith('data:') ? parseDataUrl(content) : undefined;
    return sum + (parsed && 'bytes' in parsed ? parsed.bytes : content.length);
  }, 0);
}

function walk(value: unknown, key: string | undefined, parentType: unknown, onString: (text: string, key: string | undefined, parentType: unknown) => string): unknown {
  if (typeof value === 'string') return onString(value, key, parentType);
  if (Array.isArray(value)) {
    let changed = false;
    const next = value.map((entry) => {
      const replaced = walk(entry, undefined, undefined, onString);
      if (replaced !== entry) changed = true;
      return replaced;
    });
    return changed ? next : value;
  }
  if (value && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    const type = record.type;
    let next: Record<string, unknown> | undefined;
    for (const [entryKey, entry] of Object.entries(record)) {
      const replaced = walk(entry, entryKey, type, onString);
      if (replaced !== entry) (next ??= { ...record })[entryKey] = replaced;
    }
    return next ?? value;
  }
  return value;
}
