/** Namespaced session ids, `{user}:{kind}`, so that one user's sessions share a prefix. */
import { SessionId } from './schemas';
import { InvalidInputError } from './errors';

/**
 * The session id `{user}:{kind}` (e.g. `alice:support`), checked as a session id; `:` is refused
 * inside either part, so the id splits back unambiguously.
 */
export function namespacedSessionId(user: string, kind: string): string {
  if (user.includes(':') || kind.includes(':') || user === '' || kind === '') {
    throw new InvalidInputError(`namespacedSessionId needs a non-empty user and kind without ":" (got ${JSON.stringify(user)}, ${JSON.stringify(kind)})`);
  }
  const id = SessionId.safeParse(`${user}:${kind}`);
  if (!id.success) throw new InvalidInputError(`${JSON.stringify(`${user}:${kind}`)} is not a valid session id: ${id.error.issues[0]?.message}`);
  return id.data;
}
