/**
 * What the HTTP API asks of a request before any route runs, so that a web page the user visits
 * cannot drive a local server and a path cannot name another session:
 *
 * - **Origin**: a request to the API whose `Origin` is neither the server's own (scheme, host and port
 *   of its Host header) nor an allowed one is a 403, and so is `Sec-Fetch-Site: cross-site`/`same-site`
 *   without an allowed Origin. No Origin (curl, another server) is fine. Allowed origins get CORS
 *   headers for themselves (never `*`) and a preflight answer.
 * - **Host**: a server listening on loopback answers only to loopback names (and the hosts of allowed
 *   origins), so a DNS-rebinding page (its own name resolved to 127.0.0.1) gets nothing.
 * - **Content type**: POST, PATCH and DELETE take `application/json` only (415 otherwise); a request
 *   without a body may leave it out. Forms and text/plain, which browsers send without a preflight,
 *   never reach a route.
 * - **Path**: segments are taken from the raw request target and percent-decoded once; an empty
 *   segment (`//`) or a dot segment (`.`, `..`, `%2E`) is a 400, never normalised into another route.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { isIP } from 'node:net';
import { HttpError } from './http-errors';

/** The methods that change state: they must be JSON and must not come from another site. */
const STATE_CHANGING = new Set(['POST', 'PATCH', 'DELETE']);

/** What an allowed origin may send (answered to its preflight). */
export const CORS_METHODS = 'GET, POST, PATCH, DELETE';
export const CORS_HEADERS = 'authorization, content-type, last-event-id';

/** How to allow an origin (said in every 403). */
const HOW_TO_ALLOW = 'allow it with `serve --allow-origin URL` (or AGENT_SESSIONS_ALLOWED_ORIGINS, comma-separated)';

/** An origin given to allow, normalised (`https://app.example.com:8443`); a thrown Error says what is wrong. */
export function normaliseOrigin(text: string): string {
  const trimmed = text.trim();
  let url: URL | undefined;
  try {
    url = new URL(trimmed);
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:') || url.username || url.password || url.search || url.hash || url.pathname !== '/') {
    throw new Error(`an allowed origin must be a scheme, host and optional port, like https://app.example.com or http://localhost:3000 (got ${JSON.stringify(text)})`);
  }
  return url.origin;
}

/** Whether `hostname` (of a Host header or a bound address) names this machine's loopback. */
export function isLoopbackName(hostname: string): boolean {
  const name = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (name === 'localhost' || name.endsWith('.localhost')) return true;
  if (isIP(name) === 4) return name.startsWith('127.');
  if (isIP(name) === 6) return name === '::1' || name.startsWith('::ffff:127.');
  return false;
}

/** The checks of one server: its allowed origins and whether it listens on loopback only. */
export class RequestGuard {
  private readonly allowed: Set<string>;
  private readonly allowedHosts: Set<string>;

  constructor(
    allowedOrigins: readonly string[],
    private readonly loopback: () => boolean,
  ) {
    this.allowed = new Set(allowedOrigins.map(normaliseOrigin));
    this.allowedHosts = new Set([...this.allowed].map((origin) => new URL(origin).host.toLowerCase()));
  }

  /** The server's own origin as this request names it (the page's origin when the page calls). */
  private ownOrigin(headers: IncomingHttpHeaders): string | undefined {
    try {
      return headers.host ? new URL(`http://${headers.host}`).origin : undefined;
    } catch {
      return undefined;
    }
  }

  /**
   * Refuses a request whose Host is not this loopback server's (DNS rebinding): 403. Every request,
   * the chat page's files too.
   */
  checkHost(headers: IncomingHttpHeaders): void {
    if (!this.loopback()) return;
    const host = (headers.host ?? '').toLowerCase();
    let hostname: string;
    try {
      hostname = new URL(`http://${host}`).hostname;
    } catch {
      throw new HttpError(400, 'InvalidInputError', 'the Host header is malformed');
    }
    if (isLoopbackName(hostname) || this.allowedHosts.has(host)) return;
    throw new HttpError(
      403,
      'CrossSiteRequestError',
      `this server listens on loopback and answers to localhost, 127.0.0.1 and [::1], not to the Host ${JSON.stringify(host)} (a page whose name was rebound to this machine); open it by one of those names, or ${HOW_TO_ALLOW}`,
    );
  }

  /**
   * The allowed origin that should get CORS headers (undefined for no Origin or the server's own);
   * a 403 for a request from another site.
   */
  checkOrigin(headers: IncomingHttpHeaders): string | undefined {
    const origin = headers.origin;
    const site = String(headers['sec-fetch-site'] ?? '').toLowerCase();
    if (origin !== undefined) {
      if (this.allowed.has(origin)) return origin;
      if (origin === this.ownOrigin(headers) && site !== 'cross-site' && site !== 'same-site') return undefined;
      throw new HttpError(
        403,
        'CrossSiteRequestError',
        `requests from the origin ${JSON.stringify(origin)} are refused: it is not this server's page nor an allowed origin; ${HOW_TO_ALLOW}`,
      );
    }
    if (site === 'cross-site' || site === 'same-site') {
      throw new HttpError(403, 'CrossSiteRequestError', `a ${site} request without an allowed Origin is refused; ${HOW_TO_ALLOW}`);
    }
    return undefined;
  }

  /** The allowed origin of a CORS preflight (OPTIONS); a 403 for another, a 204 without CORS headers without one. */
  preflight(headers: IncomingHttpHeaders): string | undefined {
    return this.checkOrigin(headers);
  }
}

/** A 415 unless a state-changing request is JSON (a request without a body may leave the type out). */
export function checkContentType(method: string, headers: IncomingHttpHeaders): void {
  if (!STATE_CHANGING.has(method)) return;
  const type = headers['content-type'];
  const hasBody = (headers['content-length'] !== undefined && headers['content-length'] !== '0') || headers['transfer-encoding'] !== undefined;
  if (type === undefined && !hasBody) return;
  const media = (type ?? '').split(';')[0].trim().toLowerCase();
  if (media === 'application/json') return;
  throw new HttpError(
    415,
    'UnsupportedMediaType',
    `${method} takes a JSON body: send Content-Type: application/json (got ${type === undefined ? 'no content type' : JSON.stringify(type)})`,
  );
}

/** The raw path of a request target (origin form, or the path of an absolute form), without its query. */
export function rawPath(target: string): string {
  const path = target.replace(/^[a-z][a-z0-9+.-]*:\/\/[^/?#]*/i, '').split(/[?#]/)[0];
  return path.startsWith('/') ? path : `/${path}`;
}

/**
 * The path's segments, each percent-decoded once; a 400 for an empty segment, a dot segment (as written
 * or escaped) or a malformed escape. `/` alone is no segments.
 */
export function pathSegments(path: string): string[] {
  if (path === '/') return [];
  const segments = path.slice(1).split('/');
  return segments.map((segment) => {
    if (segment === '') throw new HttpError(400, 'InvalidInputError', `the path ${path} has an empty segment (//, or a trailing /); name every part, ids percent-encoded`);
    let decoded: string;
    try {
      decoded = decodeURIComponent(segment);
    } catch {
      throw new HttpError(400, 'InvalidInputError', `the path ${path} has a malformed percent-escape`);
    }
    if (decoded === '.' || decoded === '..') {
      throw new HttpError(400, 'InvalidInputError', `the path ${path} has a dot segment (${segment}); the API does not resolve . and .., and a session id cannot be "." or ".."`);
    }
    return decoded;
  });
}
