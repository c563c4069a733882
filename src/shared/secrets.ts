/**
 * Secret context values: `{ "$secret": "sk-…" }` anywhere in the context. Tools, instructions and
 * approval checks get the value itself; every read of the context (the `context` query, an operation's
 * answer, exports and so forks) gets `{ "$secret": null }` instead, and each occurrence of a secret in
 * what is sent to the model, or in a tool's output, is replaced by `[secret]` before it leaves the activity.
 */
import { MAX_SECRET_LENGTH, MIN_SECRET_LENGTH } from './limits';

/** The one key of a secret value's object. */
export const SECRET_KEY = '$secret';

/** What replaces a secret wherever it would have reached the model or the projection. */
export const SECRET_PLACEHOLDER = '[secret]';

/** A secret context value: its text, or null once withheld (in a read, an export or a fork). */
export interface Secret {
  [SECRET_KEY]: string | null;
}

/** Marks a context value secret: `updateContext(id, { crmToken: secret(token) })`. */
export function secret(value: string): Secret {
  return { [SECRET_KEY]: value };
}

/** Whether a JSON value is a secret's object. */
export function isSecret(value: unknown): value is Secret {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && Object.keys(value).length === 1 && SECRET_KEY in value;
}

/** Why a value under a `$secret` key is not a valid secret (path and reason), or undefined when every one is. */
export function findMalformedSecret(value: unknown, path: string[] = []): { path: string; reason: string } | undefined {
  if (Array.isArray(value)) {
    for (let index = 0; index < value.length; index++) {
      const found = findMalformedSecret(value[index], [...path, String(index)]);
      if (found) return found;
    }
    return undefined;
  }
  if (value === null || typeof value !== 'object') return undefined;
  if (SECRET_KEY in value) {
    const text = (value as Record<string, unknown>)[SECRET_KEY];
    const valid = isSecret(value) && (text === null || (typeof text === 'string' && text.length >= MIN_SECRET_LENGTH && text.length <= MAX_SECRET_LENGTH));
    return valid ? undefined : { path: path.join('.'), reason: `a secret must be { "${SECRET_KEY}": text of ${MIN_SECRET_LENGTH} to ${MAX_SECRET_LENGTH} characters } and nothing else` };
  }
  for (const [key, entry] of Object.entries(value)) {
    const found = findMalformedSecret(entry, [...path, key]);
    if (found) return found;
  }
  return undefined;
}

/** A deep copy with each secret replaced by `replace(secret)`; other values are kept as they are. */
function mapSecrets<T>(value: T, replace: (found: Secret) => unknown): T {
  if (isSecret(value)) return replace(value) as T;
  if (Array.isArray(value)) return value.map((entry) => mapSecrets(entry, replace)) as T;
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([key, entry]) => [key, mapSecrets(entry, replace)])) as T;
  return value;
}

/** The context as readers see it: every secret withheld (`{ "$secret": null }`). */
export function withheldSecrets<T>(context: T): T {
  return mapSecrets(context, () => ({ [SECRET_KEY]: null }));
}

/**
 * The context as tools and instructions see it (each secret's text in its place), and the secrets'
 * texts, longest first (so that a secret inside another is never left half replaced).
 */
export function revealedSecrets<T>(context: T): { context: T; secrets: string[] } {
  const secrets: string[] = [];
  const revealed = mapSecrets(context, (found) => {
    if (found[SECRET_KEY] !== null) secrets.push(found[SECRET_KEY]);
    return found[SECRET_KEY];
  });
  return { context: revealed, secrets: secrets.sort((a, b) => b.length - a.length) };
}

/** A deep copy with every occurrence of a secret's text in a string (outside secret values) replaced by `[secret]`. */
export function scrubbedOfSecrets<T>(value: T, secrets: readonly string[]): T {
  if (secrets.length === 0) return value;
  if (typeof value === 'string') return secrets.reduce<string>((text, found) => text.split(found).join(SECRET_PLACEHOLDER), value) as T;
  if (isSecret(value)) return value;
  if (Array.isArray(value)) return value.map((entry) => scrubbedOfSecrets(entry, secrets)) as T;
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([key, entry]) => [key, scrubbedOfSecrets(entry, secrets)])) as T;
  return value;
}

/** Runs `work`; an error it throws has every secret's text replaced in its message and stack before it goes on. */
export async function withSecretsScrubbed<T>(secrets: readonly string[], work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof Error && secrets.length > 0) {
      error.message = scrubbedOfSecrets(error.message, secrets);
      if (error.stack) error.stack = scrubbedOfSecrets(error.stack, secrets);
    }
    throw error;
  }
}
