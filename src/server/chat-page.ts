/**
 * The chat page's files (web/ at the package root), served at `/` without the bearer token: they hold
 * no data, and the page sends the token with every API call it makes.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';

/** Where the page's files are, from src/server or dist/server alike. */
const WEB_DIR = path.resolve(__dirname, '..', '..', 'web');

/** The page's files by request path, with their content types. */
const FILES: Record<string, { file: string; type: string }> = {
  '/': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/chat.js': { file: 'chat.js', type: 'text/javascript; charset=utf-8' },
  '/chat.css': { file: 'chat.css', type: 'text/css; charset=utf-8' },
};

/** The file for a GET of `pathname`, or undefined when the path is not one of the page's. */
export async function chatPageFile(pathname: string): Promise<{ body: Buffer; type: string } | undefined> {
  const entry = FILES[pathname];
  if (!entry) return undefined;
  return { body: await readFile(path.join(WEB_DIR, entry.file)), type: entry.type };
}
