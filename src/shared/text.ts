/**
 * Text that every store on the way can keep. Postgres `jsonb` refuses the NUL character and UTF-16
 * lone surrogates, so a session would block on a projection write that can never succeed. Callers'
 * input is refused at the boundary; what a model returns is repaired. Workflow-safe (no Node APIs).
 */

/** The replacement character put in place of a lone surrogate when text is repaired. */
export const REPLACEMENT_CHARACTER = '\ufffd';

/** Why this string cannot be stored, or undefined when it can. */
export function unstorableReason(text: string): string | undefined {
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    if (code === 0) return `contains a NUL character (\\u0000) at index ${index}, which cannot be stored; remove it`;
    if (code >= 0xd800 && code <= 0xdbff) {
      const next = text.charCodeAt(index + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        index += 1;
        continue;
      }
      return `contains a lone surrogate (\\u${code.toString(16)}) at index ${index}; send valid UTF-16 text`;
    }
    if (code >= 0xdc00 && code <= 0xdfff) {
      return `contains a lone surrogate (\\u${code.toString(16)}) at index ${index}; send valid UTF-16 text`;
    }
  }
  return undefined;
}

/** The text with NUL characters removed and lone surrogates replaced by U+FFFD. */
export function repairText(text: string): string {
  if (unstorableReason(text) === undefined) return text;
  let repaired = '';
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    if (code === 0) continue;
    if (code >= 0xd800 && code <= 0xdbff) {
      const next = text.charCodeAt(index + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        repaired += text[index] + text[index + 1];
        index += 1;
      } else {
        repaired += REPLACEMENT_CHARACTER;
      }
      continue;
    }
    repaired += code >= 0xdc00 && code <= 0xdfff ? REPLACEMENT_CHARACTER : text[index];
  }
  return repaired;
}

/** A key as it may appear in a message: escaped (as in JSON) when it holds what cannot be stored. */
function printableKey(key: string): string {
  return unstorableReason(key) === undefined ? key : JSON.stringify(key).slice(1, -1);
}

/** The first string (key or value) in a JSON value that cannot be stored: its path (keys escaped) and why. */
export function findUnstorable(value: unknown, path: string[] = []): { path: string; reason: string } | undefined {
  if (typeof value === 'string') {
    const reason = unstorableReason(value);
    return reason === undefined ? undefined : { path: path.join('.'), reason };
  }
  if (Array.isArray(value)) {
    for (let index = 0; index < value.length; index++) {
      const found = findUnstorable(value[index], [...path, String(index)]);
      if (found) return found;
    }
    return undefined;
  }
  if (value !== null && typeof value === 'object') {
    for (const [key, entry] of Object.entries(value)) {
      const keyReason = unstorableReason(key);
      if (keyReason !== undefined) return { path: [...path, printableKey(key)].join('.'), reason: `key ${keyReason}` };
      const found = findUnstorable(entry, [...path, printableKey(key)]);
      if (found) return found;
    }
  }
  return undefined;
}

/** A deep copy of a JSON value with every string (and key) repaired. */
export function repairJson<T>(value: T): T {
  if (typeof value === 'string') return repairText(value) as T;
  if (Array.isArray(value)) return value.map((entry) => repairJson(entry)) as T;
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, entry]) => [repairText(key), repairJson(entry)])) as T;
  }
  return value;
}
