/**
 * The HTTP API against other web pages and confusing paths, through real HTTP on a real stack: a
 * state-changing request must be JSON (415 otherwise) and must not come from another site (403 for a
 * cross-site Origin or Sec-Fetch-Site, unless the origin is allowed); allowed origins get a proper CORS
 * preflight; a path never answers for a session other than the one it names (dot segments and empty
 * segments are a 400, `%2F` stays inside the id); `.` and `..` are no session ids anywhere; the bearer
 * scheme is case-insensitive; `serve` binds loopback and warns when it binds wider without a token.
 */
import { spawn } from 'node:child_process';
import { request as httpRequest } from 'node:http';
import path from 'node:path';
import { startHttpServer, type RunningHttpServer } from '../src/server/http-server';
import { runCli } from './support/cli';
import { startTestStack, type TestStack } from './support/stack';

const TOKEN = 'safety-token-93be';
const APP = 'http://app.example:3000';
const EVIL = 'http://evil.example';

let stack: TestStack;
/** No token, the default. */
let open: RunningHttpServer;
/** No token, with APP allowed. */
let withApp: RunningHttpServer;
/** A token. */
let guarded: RunningHttpServer;
let counter = 0;
const newSession = (kind: string) => `safety-${Date.now().toString(36)}-${++counter}:${kind}`;
const at = (id: string) => `/v1/sessions/${encodeURIComponent(id)}`;

beforeAll(async () => {
  stack = await startTestStack();
  [open, withApp, guarded] = await Promise.all([
    startHttpServer({ client: stack.client }),
    startHttpServer({ client: stack.client, allowedOrigins: [APP] }),
    startHttpServer({ client: stack.client, token: TOKEN }),
  ]);
});

afterAll(async () => {
  await Promise.all([open?.close(), withApp?.close(), guarded?.close()]);
  await stack?.stop();
});

beforeEach(() => stack.model.reset());

type Answer = { status: number; headers: Record<string, string | string[] | undefined>; body: { error?: { type: string; message: string } } & Record<string, unknown> };

/**
 * One request exactly as written: the path is sent as given (fetch would remove `.` and `..`
 * segments first, as a browser does; other clients do not), with the headers given and no others.
 */
function raw(server: RunningHttpServer, method: string, rawPath: string, headers: Record<string, string> = {}, body?: string): Promise<Answer> {
  const url = new URL(server.url);
  return new Promise((resolve, reject) => {
    const outgoing = httpRequest(
      { host: url.hostname, port: url.port, method, path: rawPath, headers: { ...headers, ...(body === undefined ? {} : { 'content-length': Buffer.byteLength(body) }) } },
      (response) => {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (text += chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body: text ? JSON.parse(text) : {} }));
      },
    );
    outgoing.on('error', reject);
    outgoing.end(body);
  });
}

const json = { 'content-type': 'application/json' };

describe('state-changing requests from other web pages', () => {
  test('a text/plain POST from another origin runs no turn: 403 naming the origin and how to allow it', async () => {
    const session = newSession('text-plain');
    const answer = await raw(open, 'POST', `${at(session)}/messages`, { origin: EVIL, 'content-type': 'text/plain' }, '{"text":"Hello from evil"}');
    expect(answer.status).toBe(403);
    expect(answer.body.error).toMatchObject({ type: 'CrossSiteRequestError' });
    expect(answer.body.error?.message).toContain(EVIL);
    expect(answer.body.error?.message).toContain('--allow-origin');
    expect(answer.headers['access-control-allow-origin']).toBeUndefined();
    await expect(stack.client.status(session)).rejects.toThrow(/no session/i);
  });

  test('a JSON POST from another origin is refused just the same', async () => {
    const session = newSession('evil-json');
    const answer = await raw(open, 'POST', `${at(session)}/messages`, { origin: EVIL, ...json }, '{"text":"Hello"}');
    expect(answer.status).toBe(403);
    await expect(stack.client.status(session)).rejects.toThrow(/no session/i);
  });

  test('form posts to pop and clear change nothing: 415 without an Origin, 403 with a foreign one', async () => {
    const session = newSession('forms');
    await stack.client.send(session, 'Hello');
    const before = await stack.client.items(session);
    for (const route of ['pop', 'clear']) {
      const form = await raw(open, 'POST', `${at(session)}/${route}`, { 'content-type': 'application/x-www-form-urlencoded' }, 'a=b');
      expect(form.status).toBe(415);
      expect(form.body.error).toMatchObject({ type: 'UnsupportedMediaType', message: expect.stringContaining('application/json') });
      const multipart = await raw(open, 'POST', `${at(session)}/${route}`, { 'content-type': 'multipart/form-data; boundary=x' }, '--x--');
      expect(multipart.status).toBe(415);
      const crossSite = await raw(open, 'POST', `${at(session)}/${route}`, { origin: EVIL, 'content-type': 'application/x-www-form-urlencoded' }, 'a=b');
      expect(crossSite.status).toBe(403);
      const bodyless = await raw(open, 'POST', `${at(session)}/${route}`, { origin: EVIL });
      expect(bodyless.status).toBe(403);
    }
    const deleted = await raw(open, 'DELETE', at(session), { 'content-type': 'text/plain' }, '{}');
    expect(deleted.status).toBe(415);
    const patched = await raw(open, 'PATCH', `${at(session)}/context`, { 'content-type': 'text/plain' }, '{"patch":{"x":1}}');
    expect(patched.status).toBe(415);
    const untyped = await raw(open, 'PATCH', `${at(session)}/context`, {}, '{"patch":{"x":1}}');
    expect(untyped.status).toBe(415);
    expect(await stack.client.items(session)).toEqual(before);
    expect(await stack.client.context(session)).toEqual({});
  });

  test('Sec-Fetch-Site: cross-site (or same-site) without an allowed Origin is refused', async () => {
    const session = newSession('fetch-site');
    await stack.client.send(session, 'Hello');
    const before = await stack.client.items(session);
    for (const site of ['cross-site', 'same-site']) {
      const answer = await raw(open, 'POST', `${at(session)}/pop`, { ...json, 'sec-fetch-site': site }, '{}');
      expect(answer.status).toBe(403);
      expect(answer.body.error?.message).toContain(site);
    }
    expect(await stack.client.items(session)).toEqual(before);
  });

  test('a null Origin (a sandboxed frame, a file) is refused', async () => {
    const answer = await raw(open, 'POST', `${at(newSession('null'))}/messages`, { origin: 'null', ...json }, '{"text":"Hi"}');
    expect(answer.status).toBe(403);
  });

  test('curl (no Origin), the page itself (same origin) and JSON with a charset all work; a body-less POST may omit the content type', async () => {
    const session = newSession('fine');
    const curl = await raw(open, 'POST', `${at(session)}/messages`, json, '{"text":"Hello"}');
    expect(curl.status).toBe(200);
    const page = await raw(
      open,
      'POST',
      `${at(session)}/messages`,
      { origin: open.url, 'sec-fetch-site': 'same-origin', 'content-type': 'application/json; charset=utf-8' },
      '{"text":"Again"}',
    );
    expect(page.status).toBe(200);
    expect(page.headers['access-control-allow-origin']).toBeUndefined();
    const pop = await raw(open, 'POST', `${at(session)}/pop`);
    expect(pop.status).toBe(200);
    const upper = await raw(open, 'PATCH', `${at(session)}/context`, { 'content-type': 'Application/JSON;charset=UTF-8' }, '{"patch":{"x":1}}');
    expect(upper.status).toBe(200);
    expect((await stack.client.items(session)).length).toBe(3);
  });

  test('the same host on another port, or another scheme, is another origin', async () => {
    const port = Number(new URL(open.url).port);
    for (const origin of [`http://127.0.0.1:${port + 1}`, `https://127.0.0.1:${port}`, 'http://localhost']) {
      const answer = await raw(open, 'POST', `${at(newSession('ports'))}/messages`, { origin, ...json }, '{"text":"Hi"}');
      expect(answer.status).toBe(403);
    }
  });

  test('reads from another origin get no permissive CORS header', async () => {
    const answer = await raw(open, 'GET', '/v1/sessions?limit=1', { origin: EVIL });
    expect(answer.headers['access-control-allow-origin']).toBeUndefined();
    expect(answer.status).toBe(403);
  });
});

describe('allowed origins', () => {
  test('an allowed origin may call the API and gets CORS headers for itself only', async () => {
    const session = newSession('app');
    const answer = await raw(withApp, 'POST', `${at(session)}/messages`, { origin: APP, 'sec-fetch-site': 'cross-site', ...json }, '{"text":"Hello"}');
    expect(answer.status).toBe(200);
    expect(answer.headers['access-control-allow-origin']).toBe(APP);
    expect(answer.headers.vary).toContain('Origin');
    const read = await raw(withApp, 'GET', at(session), { origin: APP });
    expect(read.status).toBe(200);
    expect(read.headers['access-control-allow-origin']).toBe(APP);
    const evil = await raw(withApp, 'POST', `${at(session)}/pop`, { origin: EVIL, ...json }, '{}');
    expect(evil.status).toBe(403);
    expect(evil.headers['access-control-allow-origin']).toBeUndefined();
  });

  test('the preflight of an allowed origin names the methods and headers; a foreign one is refused', async () => {
    const preflight = await raw(withApp, 'OPTIONS', `${at('x:y')}/messages`, {
      origin: APP,
      'access-control-request-method': 'POST',
      'access-control-request-headers': 'authorization, content-type, last-event-id',
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers['access-control-allow-origin']).toBe(APP);
    expect(String(preflight.headers['access-control-allow-methods']).split(/,\s*/).sort()).toEqual(['DELETE', 'GET', 'PATCH', 'POST']);
    expect(String(preflight.headers['access-control-allow-headers']).toLowerCase().split(/,\s*/).sort()).toEqual(['authorization', 'content-type', 'last-event-id']);
    const foreign = await raw(withApp, 'OPTIONS', `${at('x:y')}/messages`, { origin: EVIL, 'access-control-request-method': 'POST' });
    expect(foreign.status).toBe(403);
    expect(foreign.headers['access-control-allow-origin']).toBeUndefined();
  });

  test('a preflight is answered before the token is asked for (browsers send none with it)', async () => {
    const preflight = await raw(guarded, 'OPTIONS', '/v1/sessions', { origin: guarded.url, 'access-control-request-method': 'GET' });
    expect(preflight.status).toBe(204);
  });

  test('an allowed origin that is not an origin is refused at start', async () => {
    await expect(startHttpServer({ client: stack.client, allowedOrigins: ['app.example'] })).rejects.toThrow(/origin/);
    await expect(startHttpServer({ client: stack.client, allowedOrigins: ['*'] })).rejects.toThrow(/origin/);
  });
});

describe('paths never answer for another session', () => {
  test('dot segments and empty segments are a 400, not the status of the session "items"', async () => {
    await stack.client.send('items', 'I am the session named items');
    for (const confusing of [
      '/v1/sessions/./items',
      '/v1/sessions//items',
      '/v1/sessions/%2E/items',
      '/v1/sessions/x/../items',
      '/v1/sessions/%2e%2e/items',
      '/v1//sessions',
      '/v1/sessions/items/',
    ]) {
      const answer = await raw(open, 'GET', confusing);
      expect([confusing, answer.status]).toEqual([confusing, 400]);
      expect(answer.body.error?.type).toBe('InvalidInputError');
      expect(answer.body.sessionId).toBeUndefined();
    }
    expect((await raw(open, 'GET', '/v1/sessions/items')).body).toMatchObject({ sessionId: 'items' });
  });

  test('%2F stays inside the id and is decoded once', async () => {
    const slashed = newSession('a/b');
    await stack.client.send(slashed, 'Hello');
    expect((await raw(open, 'GET', at(slashed))).body).toMatchObject({ sessionId: slashed });
    const items = await raw(open, 'GET', `${at(slashed)}/items`);
    expect((items.body.items as unknown[]).length).toBe(2);
    const escaped = newSession('a%2Fb');
    await stack.client.send(escaped, 'Hello');
    expect((await raw(open, 'GET', at(escaped))).body).toMatchObject({ sessionId: escaped });
    expect(at(escaped)).toContain('%252F');
  });

  test('"." and ".." are no session ids: the library, HTTP and the CLI refuse them with the same reason', async () => {
    const reason = 'a session id cannot be "." or ".."';
    for (const id of ['.', '..']) {
      await expect(stack.client.send(id, 'Hello')).rejects.toThrow(reason);
      await expect(stack.client.status(id)).rejects.toThrow(reason);
      const escaped = id.replace(/\./g, '%2E');
      const answer = await raw(open, 'POST', `/v1/sessions/${escaped}/messages`, json, '{"text":"Hello"}');
      expect(answer.status).toBe(400);
      expect(answer.body.error?.message).toContain(reason);
    }
    const env = { TEMPORAL_ADDRESS: stack.temporal.address, DATABASE_URL: stack.db.url, AGENT_SESSIONS_TASK_QUEUE: stack.taskQueue };
    const cli = await runCli(['send', '--session', '..', 'Hello'], env);
    expect(cli.code).toBe(2);
    expect(cli.stderr).toContain(reason);
  });
});

describe('the bearer token', () => {
  test('the scheme is case-insensitive and spaces around the token are tolerated; a wrong token is still 401', async () => {
    for (const authorization of [`bearer ${TOKEN}`, `BEARER ${TOKEN}`, `Bearer   ${TOKEN}  `, `bEaReR\t${TOKEN}`]) {
      const answer = await raw(guarded, 'GET', '/v1/sessions?limit=1', { authorization });
      expect([authorization, answer.status]).toEqual([authorization, 200]);
    }
    for (const authorization of ['bearer wrong', `Basic ${TOKEN}`, 'bearer', `bearer ${TOKEN} extra`, `Bearer${TOKEN}`]) {
      const answer = await raw(guarded, 'GET', '/v1/sessions?limit=1', { authorization });
      expect([authorization, answer.status]).toEqual([authorization, 401]);
    }
  });
});

describe('where serve listens', () => {
  /** Starts `serve` with these arguments; where it listens and what it printed on stderr until then. */
  async function serve(args: string[], extraEnv: Record<string, string> = {}): Promise<{ url: string; stderr: string; stop: () => void }> {
    const bin = path.resolve(__dirname, '..', 'bin', 'agent-sessions.js');
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      TEMPORAL_ADDRESS: stack.temporal.address,
      DATABASE_URL: stack.db.url,
      AGENT_SESSIONS_TASK_QUEUE: stack.taskQueue,
      AGENT_SESSIONS_LOG_LEVEL: 'silent',
      ...extraEnv,
    };
    if (!extraEnv.AGENT_SESSIONS_API_TOKEN) delete env.AGENT_SESSIONS_API_TOKEN;
    if (!extraEnv.AGENT_SESSIONS_ALLOWED_ORIGINS) delete env.AGENT_SESSIONS_ALLOWED_ORIGINS;
    const child = spawn(process.execPath, [bin, 'serve', '--port', '0', ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    const url = await new Promise<string>((resolve, reject) => {
      let output = '';
      child.stdout.on('data', (chunk: Buffer) => {
        output += chunk.toString('utf8');
        const match = /listening on (http:\/\/\S+)/.exec(output);
        if (match) resolve(match[1]);
      });
      child.on('exit', (code) => reject(new Error(`serve exited with ${code}: ${output} ${stderr}`)));
    });
    await new Promise((resolve) => setTimeout(resolve, 200));
    return { url, stderr, stop: () => child.kill('SIGTERM') };
  }

  test('by default on loopback, without a warning', async () => {
    const served = await serve([]);
    try {
      expect(new URL(served.url).hostname).toBe('127.0.0.1');
      expect(served.stderr).not.toMatch(/warning/);
    } finally {
      served.stop();
    }
  });

  test('on 0.0.0.0 without a token: one warning line on stderr; with a token: none', async () => {
    const wide = await serve(['--host', '0.0.0.0']);
    try {
      const warnings = wide.stderr.split('\n').filter((line) => /warning/.test(line));
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toContain('AGENT_SESSIONS_API_TOKEN');
    } finally {
      wide.stop();
    }
    const tokened = await serve(['--host', '0.0.0.0'], { AGENT_SESSIONS_API_TOKEN: 'x' });
    try {
      expect(tokened.stderr).not.toMatch(/warning/);
    } finally {
      tokened.stop();
    }
  });

  test('--allow-origin (repeatable) and AGENT_SESSIONS_ALLOWED_ORIGINS allow those origins', async () => {
    const served = await serve(['--allow-origin', APP, '--allow-origin', 'https://two.example'], {
      AGENT_SESSIONS_ALLOWED_ORIGINS: 'https://three.example, https://four.example:8443',
    });
    try {
      for (const origin of [APP, 'https://two.example', 'https://three.example', 'https://four.example:8443']) {
        const response = await fetch(`${served.url}/v1/sessions?limit=1`, { headers: { origin } });
        expect([origin, response.status, response.headers.get('access-control-allow-origin')]).toEqual([origin, 200, origin]);
      }
      expect((await fetch(`${served.url}/v1/sessions?limit=1`, { headers: { origin: EVIL } })).status).toBe(403);
    } finally {
      served.stop();
    }
  });

  test('a malformed --allow-origin stops serve with a one-line reason', async () => {
    const env = { TEMPORAL_ADDRESS: stack.temporal.address, DATABASE_URL: stack.db.url, AGENT_SESSIONS_TASK_QUEUE: stack.taskQueue };
    const cli = await runCli(['serve', '--port', '0', '--allow-origin', 'not an origin'], env);
    expect(cli.code).toBe(2);
    expect(cli.stderr).toMatch(/^error: .*--allow-origin/);
  });
});

describe('DNS rebinding', () => {
  test("a server on loopback answers only to loopback host names (and allowed origins' hosts)", async () => {
    const port = new URL(open.url).port;
    const rebound = await raw(open, 'GET', '/v1/sessions?limit=1', { host: `rebound.example:${port}` });
    expect(rebound.status).toBe(403);
    expect(rebound.body.error?.message).toContain('rebound.example');
    for (const host of [`localhost:${port}`, `127.0.0.1:${port}`, `[::1]:${port}`]) {
      expect([host, (await raw(open, 'GET', '/v1/sessions?limit=1', { host })).status]).toEqual([host, 200]);
    }
    expect((await raw(withApp, 'GET', '/v1/sessions?limit=1', { host: 'app.example:3000', origin: APP })).status).toBe(200);
  });
});
