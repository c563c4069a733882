/**
 * An embedded Postgres (PGlite, WASM) served over the wire protocol on loopback, so the same `pg`
 * code runs against it as against a real server. Its data lives in the data folder.
 */
import { mkdir } from 'node:fs/promises';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';

/** A running embedded Postgres. */
export interface EmbeddedPostgres {
  url: string;
  stop(): Promise<void>;
}

/** Connections the embedded server multiplexes onto its single PGlite session. */
const MAX_CONNECTIONS = 8;

/** Opens (or creates) the database in `dataDir` and serves it on 127.0.0.1:`port` (0 = any free port). */
export async function startEmbeddedPostgres(dataDir: string, port = 0): Promise<EmbeddedPostgres> {
  await mkdir(dataDir, { recursive: true });
  const db = await PGlite.create(dataDir);
  const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port, maxConnections: MAX_CONNECTIONS });
  await server.start();
  const address = server.getServerConn();
  return {
    url: `postgres://postgres@${address}/postgres?sslmode=disable`,
    stop: async () => {
      await server.stop();
      await db.close();
    },
  };
}
