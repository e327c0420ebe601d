/**
 * The signaling server: one HTTP server that answers the API, serves the built web app and
 * upgrades /signal to the ws relay. It admits people and introduces peers; no session content
 * passes through it.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { localVerifier } from '../src/lib/protocol/credentials.ts';
import { createApi, HttpError, sendError } from './http-api.ts';
import { SigningKeys } from './keys.ts';
import { Relay, refuseUpgrade } from './relay.ts';
import { MemorySessionStore } from './sessions.ts';
import { createStatic, DEFAULT_STATIC_DIR } from './static-files.ts';

export interface SignalingOptions {
  /** default 0 (any free port); the CLI defaults to 8787 */
  port?: number;
  /** default 127.0.0.1 */
  host?: string;
  /** the built web app; default the repository's build/, null to serve no files */
  staticDir?: string | null;
  log?: (line: string) => void;
  /** ws heartbeat period, ms (tests shorten it); default HEARTBEAT_MS */
  heartbeatMs?: number;
}

export interface SignalingServer {
  /** http://HOST:PORT with the real port */
  url: string;
  port: number;
  keys: SigningKeys;
  close(): Promise<void>;
}

const SECURITY_HEADERS: Record<string, string> = {
  'X-Content-Type-Options': 'nosniff',
  // Links carry invite secrets: never leak the page address to other sites.
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'DENY',
  'Content-Security-Policy': "frame-ancestors 'none'; object-src 'none'; base-uri 'self'",
  'Cross-Origin-Opener-Policy': 'same-origin'
};

export async function startSignaling(opts: SignalingOptions = {}): Promise<SignalingServer> {
  const log = opts.log ?? ((line: string) => console.error(line));
  const keys = await SigningKeys.generate();
  const store = new MemorySessionStore();
  const verify = localVerifier(keys.jwks());
  const api = createApi({ keys, store, verify });
  const serveStatic = opts.staticDir === null ? null : createStatic(opts.staticDir ?? DEFAULT_STATIC_DIR);
  const relay = new Relay({ verify, log, heartbeatMs: opts.heartbeatMs, hasSession: (id) => store.has(id), touch: (id) => void store.touch(id) });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    for (const [k, v] of Object.entries(SECURITY_HEADERS)) res.setHeader(k, v);
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    try {
      if (await api(req, res, path)) return;
      if (serveStatic) return await serveStatic(req, res, path);
      throw new HttpError(404, 'not-found', `not found: ${path}`);
    } catch (e) {
      if (res.headersSent) return void res.destroy();
      if (e instanceof HttpError) return sendError(res, e);
      log(`http: ${req.method} ${path} failed: ${e instanceof Error ? e.message : String(e)}`);
      sendError(res, new HttpError(500, 'internal', 'the signaling server failed to answer; see its log'));
    }
  }

  const server = createServer({ requestTimeout: 30_000 }, (req, res) => void handle(req, res));
  server.on('upgrade', (req, socket, head) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (path === '/signal') void relay.handleUpgrade(req, socket, head);
    else refuseUpgrade(socket, 404, 'Not Found', 'websocket endpoint is /signal');
  });

  const host = opts.host ?? '127.0.0.1';
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(opts.port ?? 0, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (e) {
    await relay.close();
    store.close();
    throw e;
  }
  const port = (server.address() as AddressInfo).port;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;

  let closing: Promise<void> | undefined;
  return {
    url,
    port,
    keys,
    close() {
      closing ??= (async () => {
        const stopped = new Promise<void>((r) => server.close(() => r()));
        await relay.close();
        server.closeAllConnections();
        await stopped;
        store.close();
      })();
      return closing;
    }
  };
}
