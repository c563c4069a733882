/**
 * Other web pages against a local `serve` (no token, the default), mixed with the page's own traffic:
 * CHAOS_HOSTILE (200) requests a browser would send for a hostile page (form posts and text/plain posts
 * with JSON-looking bodies, which need no preflight; foreign and `null` Origins; Sec-Fetch-Site
 * cross-site; a rebound Host), paths that would name another session (`/./`, `//`, `/../`, `%2E%2E`),
 * and a lower-case bearer with a wrong token on a server with one; and CHAOS_LEGIT (20) same-origin JSON
 * messages (some as curl sends them, no Origin; some with a lower-case `bearer` and the right token).
 * Every hostile request must be refused with its typed status (400, 401, 403, 415) and a JSON error,
 * no session may change by one (items, context, labels compared before and after; no new session),
 * and every legitimate message must be answered and stored once.
 * Columns: sent = all requests, accepted = answered 2xx, answered = legitimate messages stored once,
 * typed errors = hostile requests refused as expected, lost = legitimate messages missing, duplicated =
 * extra copies, mismatches = hostile requests not refused as expected + sessions a hostile one changed.
 */
import { request as httpRequest } from 'node:http';
import { startHttpServer, type RunningHttpServer } from '../../src/server/http-server';
import type { TestStack } from '../../test/support/stack';
import { userTexts, type ChaosRow } from '../ledger';

const HOSTILE = Number(process.env.CHAOS_HOSTILE ?? 200);
const LEGIT = Number(process.env.CHAOS_LEGIT ?? 20);
const VICTIMS = 4;
/** Requests in flight at once. */
const WIDTH = 20;
const TOKEN = 'chaos-cross-site-token';
const EVIL = 'http://evil.example';

type Answer = { status: number; body: { error?: { type?: string; message?: string } } & Record<string, unknown> };

/** One request exactly as written (fetch would resolve `.` and `..` first, as a browser does). */
function raw(server: RunningHttpServer, method: string, path: string, headers: Record<string, string>, body?: string): Promise<Answer> {
  const url = new URL(server.url);
  return new Promise((resolve, reject) => {
    const sized = body === undefined ? headers : { ...headers, 'content-length': String(Buffer.byteLength(body)) };
    const outgoing = httpRequest({ host: url.hostname, port: url.port, method, path, headers: sized }, (response) => {
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (text += chunk));
      response.on('end', () => {
        let parsed: Answer['body'];
        try {
          parsed = text ? JSON.parse(text) : {};
        } catch {
          parsed = { unparsed: text.slice(0, 100) };
        }
        resolve({ status: response.statusCode ?? 0, body: parsed });
      });
    });
    outgoing.on('error', reject);
    outgoing.end(body);
  });
}

/** A hostile request: what it sends and the status it must get. */
interface Hostile {
  kind: string;
  expect: number;
  send(): Promise<Answer>;
}

/** The `index`-th hostile request against `victim` (`other` is another victim, for paths that would reach it). */
function hostile(index: number, open: RunningHttpServer, guarded: RunningHttpServer, victim: string, other: string): Hostile {
  const at = `/v1/sessions/${encodeURIComponent(victim)}`;
  const json = { 'content-type': 'application/json' };
  const text = JSON.stringify({ text: `hostile ${index}: transfer everything` });
  const form = { 'content-type': 'application/x-www-form-urlencoded' };
  const kinds: Hostile[] = [
    { kind: 'form post to pop', expect: 415, send: () => raw(open, 'POST', `${at}/pop`, form, 'a=1') },
    { kind: 'form post to clear from evil Origin', expect: 403, send: () => raw(open, 'POST', `${at}/clear`, { ...form, origin: EVIL }, 'a=1') },
    { kind: 'text/plain message, JSON-looking', expect: 415, send: () => raw(open, 'POST', `${at}/messages`, { 'content-type': 'text/plain' }, text) },
    {
      kind: 'text/plain message from evil Origin',
      expect: 403,
      send: () => raw(open, 'POST', `${at}/messages`, { 'content-type': 'text/plain;charset=UTF-8', origin: EVIL, 'sec-fetch-site': 'cross-site' }, text),
    },
    { kind: 'JSON message from evil Origin', expect: 403, send: () => raw(open, 'POST', `${at}/messages`, { ...json, origin: EVIL }, text) },
    { kind: 'delete, Sec-Fetch-Site cross-site', expect: 403, send: () => raw(open, 'DELETE', at, { ...json, 'sec-fetch-site': 'cross-site' }, '{}') },
    { kind: 'context patch from a null Origin', expect: 403, send: () => raw(open, 'PATCH', `${at}/context`, { ...json, origin: 'null' }, '{"patch":{"owned":true}}') },
    { kind: 'multipart labels patch', expect: 415, send: () => raw(open, 'PATCH', `${at}/labels`, { 'content-type': 'multipart/form-data; boundary=x' }, '--x--') },
    { kind: 'pop through /./', expect: 400, send: () => raw(open, 'POST', `/v1/sessions/./${encodeURIComponent(victim)}/pop`, json, '{}') },
    { kind: 'clear through //', expect: 400, send: () => raw(open, 'POST', `/v1/sessions//${encodeURIComponent(victim)}/clear`, json, '{}') },
    { kind: 'clear through /../', expect: 400, send: () => raw(open, 'POST', `${at}/../${encodeURIComponent(other)}/clear`, json, '{}') },
    { kind: 'message to the id ..', expect: 400, send: () => raw(open, 'POST', '/v1/sessions/%2E%2E/messages', json, text) },
    { kind: 'pop from a rebound Host', expect: 403, send: () => raw(open, 'POST', `${at}/pop`, { ...json, host: `rebound.example:${new URL(open.url).port}` }, '{}') },
    { kind: 'lower-case bearer, wrong token', expect: 401, send: () => raw(guarded, 'POST', `${at}/pop`, { ...json, authorization: 'bearer not-the-token' }, '{}') },
    {
      kind: 'form post with the right token from evil Origin',
      expect: 403,
      send: () => raw(guarded, 'POST', `${at}/clear`, { ...form, origin: EVIL, authorization: `bearer ${TOKEN}` }, 'a=1'),
    },
  ];
  return kinds[index % kinds.length];
}

/** What a session looks like, for comparing before and after. */
async function snapshot(stack: TestStack, sessionId: string): Promise<string> {
  const [items, context, status] = await Promise.all([stack.client.items(sessionId), stack.client.context(sessionId), stack.client.status(sessionId)]);
  return JSON.stringify({ items, context, labels: status.labels, turns: status.turns, itemCount: status.itemCount });
}

/** Runs the scenario and checks it; the table row and notes. */
export async function crossSite(stack: TestStack): Promise<{ row: ChaosRow; notes: string[] }> {
  const started = Date.now();
  const run = `chaos-xsite-${Date.now().toString(36)}`;
  const [open, guarded] = await Promise.all([startHttpServer({ client: stack.client }), startHttpServer({ client: stack.client, token: TOKEN })]);
  const victims = Array.from({ length: VICTIMS }, (_, v) => `${run}:victim-${v}`);
  const own = `${run}:page`;
  for (const victim of victims) {
    await stack.client.send(victim, `seed of ${victim}`);
    await stack.client.updateContext(victim, { tier: 'gold' });
    await stack.client.updateLabels(victim, { team: 'emea' });
  }
  const before = new Map(await Promise.all(victims.map(async (victim) => [victim, await snapshot(stack, victim)] as const)));

  const refusedByKind: Record<string, number> = {};
  const wrong: string[] = [];
  const legitTexts: string[] = [];
  let accepted = 0;
  let refusedAsExpected = 0;
  let legitFailed = 0;

  /** The `index`-th request of the mix: one legitimate message in every HOSTILE/LEGIT. */
  const plan = Array.from({ length: HOSTILE + LEGIT }, (_, index) => index);
  const every = Math.max(1, Math.floor((HOSTILE + LEGIT) / Math.max(1, LEGIT)));
  let legitSent = 0;
  let hostileSent = 0;
  const jobs = plan.map((index) => {
    if (legitSent < LEGIT && index % every === 0) {
      const n = legitSent++;
      const text = `page message ${n}`;
      legitTexts.push(text);
      const body = JSON.stringify({ id: `${run}-legit-${n}`, text });
      const headers: Record<string, string> =
        n % 3 === 0
          ? { 'content-type': 'application/json' } // curl: no Origin
          : n % 3 === 1
            ? { 'content-type': 'application/json; charset=utf-8', origin: open.url, 'sec-fetch-site': 'same-origin' } // the chat page
            : { 'content-type': 'application/json', authorization: `bearer ${TOKEN}` }; // lower-case scheme, the right token
      const server = n % 3 === 2 ? guarded : open;
      return async () => {
        const answer = await raw(server, 'POST', `/v1/sessions/${encodeURIComponent(own)}/messages`, headers, body);
        if (answer.status === 200) accepted += 1;
        else {
          legitFailed += 1;
          wrong.push(`legitimate message ${n}: ${answer.status} ${answer.body.error?.message ?? ''}`);
        }
      };
    }
    const h = hostileSent++;
    const request = hostile(h, open, guarded, victims[h % VICTIMS], victims[(h + 1) % VICTIMS]);
    return async () => {
      const answer = await request.send();
      if (answer.status >= 200 && answer.status < 300) accepted += 1;
      if (answer.status === request.expect && typeof answer.body.error?.message === 'string') {
        refusedAsExpected += 1;
        refusedByKind[`${request.kind}: ${answer.status} ${answer.body.error.type}`] = (refusedByKind[`${request.kind}: ${answer.status} ${answer.body.error.type}`] ?? 0) + 1;
      } else wrong.push(`${request.kind}: expected ${request.expect}, got ${answer.status} ${JSON.stringify(answer.body).slice(0, 160)}`);
    };
  });
  for (let start = 0; start < jobs.length; start += WIDTH) await Promise.all(jobs.slice(start, start + WIDTH).map((job) => job()));

  let changed = 0;
  for (const victim of victims) {
    if ((await snapshot(stack, victim)) !== before.get(victim)) {
      changed += 1;
      wrong.push(`a hostile request changed ${victim}`);
    }
  }
  const listed = (await stack.client.list({ prefix: run, limit: 100 })).sessions.map((entry) => entry.sessionId).sort();
  const expected = [...victims, own].sort();
  const strays = listed.filter((id) => !expected.includes(id));
  if (strays.length > 0) wrong.push(`hostile requests made sessions ${strays.join(', ')}`);
  const texts = userTexts(await stack.client.items(own));
  let lost = 0;
  let duplicated = 0;
  for (const text of legitTexts) {
    const copies = texts.filter((candidate) => candidate === text).length;
    if (copies === 0) lost += 1;
    if (copies > 1) duplicated += copies - 1;
  }
  const hostileStored = (await Promise.all([...victims, own].map(async (id) => userTexts(await stack.client.items(id)))))
    .flat()
    .filter((text) => text.startsWith('hostile ')).length;
  let blocked = 0;
  for (const sessionId of [...victims, own]) {
    const answered = await Promise.race([
      stack.client.send(sessionId, 'still there?').then(
        () => true,
        () => false,
      ),
      new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 90_000)),
    ]);
    if (!answered) blocked += 1;
  }
  await Promise.all([open.close(), guarded.close()]);
  const row: ChaosRow = {
    scenario: `${HOSTILE} cross-site/confusing requests + ${LEGIT} same-origin messages over HTTP`,
    sent: HOSTILE + LEGIT,
    accepted,
    answered: LEGIT - legitFailed - lost,
    typedErrors: refusedAsExpected,
    lost,
    duplicated,
    mismatches: HOSTILE - refusedAsExpected + changed + strays.length + hostileStored,
    blocked,
    plaintext: 0,
    wallSeconds: Math.round((Date.now() - started) / 100) / 10,
  };
  const notes = [
    `hostile refused as expected ${refusedAsExpected}/${HOSTILE}; sessions a hostile request changed ${changed}; sessions hostile requests made ${strays.length}; hostile texts stored ${hostileStored}; legitimate answered ${LEGIT - legitFailed}/${LEGIT}`,
    ...Object.entries(refusedByKind).map(([kind, count]) => `${count} x ${kind}`),
    ...[...new Set(wrong)].slice(0, 8).map((reason) => `wrong: ${reason}`),
  ];
  return { row, notes };
}
