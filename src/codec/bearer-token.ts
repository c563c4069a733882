/** The optional bearer token of the HTTP servers (the API, the codec endpoint), compared in constant time. */
import { createHash, timingSafeEqual } from 'node:crypto';

function digest(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

/**
 * A check of Authorization headers against `token`; every header passes when no token is set. The
 * scheme is case-insensitive (`bearer`, `BEARER`), as HTTP says; spaces around the token are allowed.
 * Both sides are hashed first, so the comparison takes the same time whatever the header holds.
 */
export function bearerTokenCheck(token: string | undefined): (header: string | undefined) => boolean {
  if (!token) return () => true;
  const expected = digest(token);
  return (header) => {
    const match = /^[ \t]*bearer[ \t]+(\S+)[ \t]*$/i.exec(header ?? '');
    return timingSafeEqual(digest(match?.[1] ?? ''), expected) && match !== null;
  };
}
