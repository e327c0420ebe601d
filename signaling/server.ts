/**
 * The signaling server: one HTTP server that answers the API, serves the built web app and
 * upgrades /signal to the ws relay. It admits people and introduces peers; no session content
 * passes through it.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { localVerifier } from '../src/lib/protocol/credentials.ts';
import { createApi, HttpError, sendError, type ApiDeps } from './http-api.ts';
import { SigningKeys } from './keys.ts';
import { Relay, refuseUpgrade } from './relay.ts';
import { Revocations } from './revocations.ts';
import { FileSessionStore } from './file-sessions.ts';
import { ControlFile } from './control-file.ts';
import { Invites } from './invites.ts';
import { MemorySessionStore, type SessionStore } from './sessions.ts';
import { ensureStateDir } from './state-files.ts';
import { createStatic, DEFAULT_STATIC_DIR } from './static-files.ts';

export interface SignalingOptions {
  /** default 0 (any free port); the CLI defaults to 8787 */
  port?: number;
  /** default 127.0.0.1 */
  host?: string;
  /** the built web app; default the repository's build/, null to serve no files */
  staticDir?: string | null;
  log?: (line: string) => void;
  /** per-address API rate limits (the CLI uses DEFAULT_LIMITS); none when absent */
  limits?: ApiDeps['limits'];
  /** behind a reverse proxy: rate limits key on X-Forwarded-For (rate-limit.ts clientKey) */
  trustProxy?: boolean;
  /** most signaling sockets at once, default MAX_SOCKETS (relay.ts) */
  maxSockets?: number;
  /** most signaling sockets from one address (IPv6: one /64), default MAX_SOCKETS_PER_ADDRESS (relay.ts) */
  maxSocketsPerAddress?: number;
  /** ws heartbeat period, ms (tests shorten it); default HEARTBEAT_MS */
  heartbeatMs?: number;
  /**
   * Where the signing key and the sessions are kept, so that a restarted server still accepts the
   * credentials and links it issued before; null or absent: in memory only (lost at exit).
   */
  stateDir?: string | null;
  /** STUN/TURN servers for participants (signaling/turn.ts); none when absent */
  turn?: ApiDeps['turn'];
}

/** Files in the state directory. */
export const KEY_FILE = 'signing-key.json';
export const SESSIONS_FILE = 'sessions.json';
/** invites, revocations, removals, retired jtis, ended sessions (control-file.ts) */
export const CONTROL_FILE = 'control.json';

interface State {
  keys: SigningKeys;
  store: SessionStore;
  invites: Invites;
  revocations: Revocations;
  control: ControlFile | null;
}

async function openState(stateDir: string | null | undefined): Promise<State> {
  const invites = new Invites();
  const revocations = new Revocations();
  if (stateDir == null) return { keys: await SigningKeys.generate(), store: new MemorySessionStore(), invites, revocations, control: null };
  await ensureStateDir(stateDir);
  const keys = await SigningKeys.loadOrCreate(join(stateDir, KEY_FILE));
  const store = await FileSessionStore.open(join(stateDir, SESSIONS_FILE));
  const control = await ControlFile.open(join(stateDir, CONTROL_FILE), invites, revocations, (id) => store.has(id));
  return { keys, store, invites, revocations, control };
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
  const { keys, store, invites, revocations, control } = await openState(opts.stateDir);
  const verify = localVerifier(keys.jwks());
  const persist = control ? () => control.save() : undefined;
  const api = createApi({ keys, store, verify, revocations, invites, persist, limits: opts.limits, turn: opts.turn, trustProxy: opts.trustProxy, onEnd: (id) => relay.closeSession(id) });
  const serveStatic = opts.staticDir === null ? null : createStatic(opts.staticDir ?? DEFAULT_STATIC_DIR);
  const relay = new Relay({ verify, log, heartbeatMs: opts.heartbeatMs, maxSockets: opts.maxSockets, maxSocketsPerAddress: opts.maxSocketsPerAddress, trustProxy: opts.trustProxy, refusal: (c) => revocations.refusal(c), hasSession: (id) => store.has(id), touch: (id) => void store.touch(id) });

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
    await store.close();
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
        await control?.close();
        await store.close();
      })();
      return closing;
    }
  };
}
