/**
 * Secret context values: an object whose one key is `$secret` (`{ "$secret": "sk-…" }`), anywhere in
 * the context. Tools, instructions and approval checks get the text itself; every read of the context
 * (the `context` query, an operation's answer, exports and so forks) gets `{ "$secret": null }`
 * instead, and each occurrence of a secret's text in what is sent to the model, or in what a tool gives
 * back, is replaced by `[secret]` before it leaves the activity.
 */
import { MAX_SECRET_LENGTH, MIN_SECRET_LENGTH } from './limits';

/** The one key of a secret value's object. */
export const SECRET_KEY = '$secret';

/** What replaces a secret's text wherever it would have reached the model or the projection. */
const SECRET_PLACEHOLDER = '[secret]';

/** A secret context value: its text, or null once withheld (in a read, an export or a fork). */
export interface Secret {
  [SECRET_KEY]: string | null;
}

/** Marks a context value secret: `updateContext(id, { crmToken: secret(token) })`. */
export function secret(value: string): Secret {
  return { [SECRET_KEY]: value };
}

/** Whether a JSON value is a secret's object: an object whose only key is `$secret`. */
export function isSecret(value: unknown): value is Secret {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && Object.keys(value).length === 1 && SECRET_KEY in value;
}

/** A deep copy of a JSON value, each secret given to `onSecret` and each other string to `onText`. */
function mapJson(value: unknown, onSecret: (found: Secret) => unknown, onText: (text: string) => unknown = (text) => text): unknown {
  if (isSecret(value)) return onSecret(value);
  if (typeof value === 'string') return onText(value);
  if (Array.isArray(value)) return value.map((entry) => mapJson(entry, onSecret, onText));
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([key, entry]) => [key, mapJson(entry, onSecret, onText)]));
  return value;
}

/** Where a secret is not one a caller may set (a text of 8 to 4,096 characters, or null), with why; undefined when all are. */
export function findMalformedSecret(value: unknown): { path: string; reason: string } | undefined {
  const walk = (entry: unknown, path: string[]): { path: string; reason: string } | undefined => {
    if (isSecret(entry)) {
      const text = entry[SECRET_KEY];
      if (text === null || (typeof text === 'string' && text.length >= MIN_SECRET_LENGTH && text.length <= MAX_SECRET_LENGTH)) return undefined;
      return { path: path.join('.'), reason: `a secret must be { "${SECRET_KEY}": text of ${MIN_SECRET_LENGTH} to ${MAX_SECRET_LENGTH} characters }` };
    }
    if (entry === null || typeof entry !== 'object') return undefined;
    for (const [key, inner] of Object.entries(entry)) {
      const found = walk(inner, [...path, key]);
      if (found) return found;
    }
    return undefined;
  };
  return walk(value, []);
}

/** The context as readers see it: every secret withheld (`{ "$secret": null }`). */
export function withheldSecrets<T>(context: T): T {
  return mapJson(context, () => ({ [SECRET_KEY]: null })) as T;
}

/**
 * The context as tools and instructions see it (each secret's text in its place), and the secrets'
 * texts, longest first (so that a secret inside another is never left half replaced).
 */
export function revealedSecrets<T>(context: T): { context: T; secrets: string[] } {
  const secrets: string[] = [];
  const revealed = mapJson(context, (found) => {
    if (typeof found[SECRET_KEY] === 'string') secrets.push(found[SECRET_KEY]);
    return found[SECRET_KEY];
  });
  return { context: revealed as T, secrets: secrets.sort((a, b) => b.length - a.length) };
}

/**
 * The context a tool left, hidden again: where `before` held a secret, a text is a secret again (the
 * same one, or a new one when the tool wrote another text there) and a withheld secret stays withheld;
 * anything else the tool put there is kept as it is.
 */
export function rehiddenSecrets<T>(before: unknown, after: T): T {
  if (isSecret(before)) {
    if (typeof after === 'string') return (after === before[SECRET_KEY] ? before : secret(after)) as T;
    return (after === null && before[SECRET_KEY] === null ? before : after) as T;
  }
  if (Array.isArray(before) && Array.isArray(after)) return after.map((entry, index) => rehiddenSecrets(before[index], entry)) as T;
  if (before !== null && typeof before === 'object' && after !== null && typeof after === 'object' && !Array.isArray(after)) {
    return Object.fromEntries(Object.entries(after).map(([key, entry]) => [key, rehiddenSecrets((before as Record<string, unknown>)[key], entry)])) as T;
  }
  return after;
}

/** A deep copy with every occurrence of a secret's text in a string (outside secrets) replaced by `[secret]`. */
export function scrubbedOfSecrets<T>(value: T, secrets: readonly string[]): T {
  if (secrets.length === 0) return value;
  return mapJson(
    value,
    (found) => found,
    (text) => secrets.reduce((scrubbed, found) => scrubbed.split(found).join(SECRET_PLACEHOLDER), text),
  ) as T;
}

/**
 * Runs `work`; what it throws goes on with every secret's text replaced in its message and stack and in
 * those of its causes (a thrown value that is not an Error becomes one).
 */
export async function withSecretsScrubbed<T>(secrets: readonly string[], work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (thrown) {
    if (secrets.length === 0) throw thrown;
    const error = thrown instanceof Error ? thrown : new Error(String(thrown));
    for (let link: unknown = error, depth = 0; link instanceof Error && depth < 10; link = link.cause, depth++) {
      link.message = scrubbedOfSecrets(link.message, secrets);
      if (link.stack) link.stack = scrubbedOfSecrets(link.stack, secrets);
    }
    throw error;
  }
}
