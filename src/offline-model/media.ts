import { refuse } from './wire';

/** Hosts under this top-level domain (RFC 2606) are "unreachable": their images fail to download, as on the real service. */
const UNREACHABLE_TLD = '.invalid';

/**
 * Checks an image URL as the real service does before the model sees it: it must be http(s) or a `data:` URL
 * (400 naming `param` otherwise), and an http(s) URL must be downloadable; a host ending in `.invalid` never is
 * (400 `Error while downloading <url>.`), so tests can exercise an image the model cannot fetch.
 */
export function checkImageUrl(url: string, param: string): void {
  if (url.startsWith('data:')) {
    if (!/^data:image\/[\w.+-]+;base64,/.test(url)) {
      refuse(
        `Invalid '${param}'. Expected a base64-encoded data URL with an image MIME type (e.g. 'data:image/png;base64,aW1nIGJ5dGVzIGhlcmU='), but got an invalid value.`,
        param,
        'invalid_value',
      );
    }
    return;
  }
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return refuse(`Invalid '${param}'. Expected a valid URL, but got a value with an invalid format.`, param, 'invalid_value');
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    refuse(`Invalid '${param}'. Expected a valid URL, but got a value with an invalid format.`, param, 'invalid_value');
  }
  if (parsed.hostname.toLowerCase().endsWith(UNREACHABLE_TLD)) refuse(`Error while downloading ${url}.`, 'url', 'invalid_value');
}
