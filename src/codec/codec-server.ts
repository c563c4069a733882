/**
 * A codec server for the Temporal UI and CLI (`--ui-codec-endpoint`, `--codec-endpoint`): it decodes
 * and encodes payloads with the project's codec, so operators read encrypted histories in the UI while
 * the server stores only ciphertext. `POST /decode` and `POST /encode` take and answer
 * `{ payloads: [{ metadata: { key: base64 }, data: base64 }] }`; CORS lets the UI's origin call it.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Payload, PayloadCodec } from '@temporalio/common';
import { z } from 'zod';
import { bearerTokenCheck } from './bearer-token';

/** The JSON payloads of a codec request. */
const CodecBody = z.object({
  payloads: z.array(z.object({ metadata: z.record(z.string(), z.string()).default({}), data: z.string().default('') })),
});
type CodecBody = z.infer<typeof CodecBody>;

/** Where the codec server listens, which origin may call it, and its optional token. */
export interface CodecServerOptions {
  codec: PayloadCodec;
  port?: number;
  host?: string;
  /** The origin of the Temporal UI (CORS); http://localhost:8233 when absent. */
  origin?: string;
  /** When set, requests need `Authorization: Bearer <token>`. */
  token?: string;
}

function fromJson(body: CodecBody): Payload[] {
  return body.payloads.map((payload) => ({
    metadata: Object.fromEntries(Object.entries(payload.metadata).map(([key, value]) => [key, Buffer.from(value, 'base64')])),
    data: Buffer.from(payload.data, 'base64'),
  }));
}

function toJson(payloads: Payload[]): CodecBody {
  return {
    payloads: payloads.map((payload) => ({
      metadata: Object.fromEntries(Object.entries(payload.metadata ?? {}).map(([key, value]) => [key, Buffer.from(value).toString('base64')])),
      data: Buffer.from(payload.data ?? []).toString('base64'),
    })),
  };
}

/** Starts the codec server; resolves once it listens. */
export async function startCodecServer(options: CodecServerOptions): Promise<{ url: string; close(): Promise<void> }> {
  const origin = options.origin ?? 'http://localhost:8233';
  const authorized = bearerTokenCheck(options.token);

  async function answer(request: IncomingMessage, response: ServerResponse): Promise<void> {
    response.setHeader('access-control-allow-origin', origin);
    response.setHeader('access-control-allow-methods', 'POST, OPTIONS');
    response.setHeader('access-control-allow-headers', 'content-type, authorization, x-namespace');
    response.setHeader('access-control-allow-credentials', 'true');
    if (request.method === 'OPTIONS') return void response.writeHead(204).end();
    const path = new URL(request.url ?? '/', 'http://localhost').pathname;
    if (request.method !== 'POST' || (path !== '/decode' && path !== '/encode')) return reply(response, 404, { error: 'POST /decode or /encode' });
    if (!authorized(request.headers.authorization)) return reply(response, 401, { error: 'send Authorization: Bearer <token>' });
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    let body: CodecBody;
    try {
      body = CodecBody.parse(JSON.parse(Buffer.concat(chunks).toString('utf8')));
    } catch {
      return reply(response, 400, { error: 'the body must be { payloads: [{ metadata, data }] } with base64 values' });
    }
    try {
      const payloads = fromJson(body);
      reply(response, 200, toJson(path === '/decode' ? await options.codec.decode(payloads) : await options.codec.encode(payloads)));
    } catch (error) {
      reply(response, 422, { error: (error as Error).message });
    }
  }

  const server = createServer((request, response) => void answer(request, response).catch(() => response.destroy()));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const address = server.address() as AddressInfo;
  return {
    url: `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function reply(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json' });
  response.end(JSON.stringify(body));
}
