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
import { SignalingMetrics } from './metrics.ts';
import { createOperatorRoutes } from './operator-routes.ts';
import type { LogLevel } from './relay.ts';
import { RedisBackplane } from './redis-backplane.ts';
import { RedisSessionStore } from './redis-sessions.ts';
import { SharedLimits } from './redis-limits.ts';
import { HEARTBEAT_MS } from '../src/lib/protocol/signaling.ts';

export interface SignalingOptions {
  /** default 0 (any free port); the CLI defaults to 8787 */
  port?: number;
  /** default 127.0.0.1 */
  host?: string;
  /** the built web app; default the repository's build/, null to serve no files */
  staticDir?: string | null;
  log?: (line: string, level?: LogLevel) => void;
  /** how long a shutdown waits for requests in flight before it cuts them, ms (default 10 s) */
  shutdownMs?: number;
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
  /**
   * Several instances behind one balancer: keys, sessions, decisions and the relay shared through
   * the Redis at this URL (redis-backplane.ts); the state directory is then not used.
   */
  redis?: string | null;
  /** the address people reach this server at behind a proxy (links, Origin checks), an origin like https://signal.example.com */
  publicUrl?: string;
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
  backplane?: RedisBackplane;
}

async function openState(stateDir: string | null | undefined, redis: string | null | undefined, log: (line: string, level?: LogLevel) => void): Promise<State> {
  const invites = new Invites();
  const revocations = new Revocations();
  if (redis) {
    const backplane = await RedisBackplane.connect(redis, log);
    try {
      const keys = await SigningKeys.shared(backplane.keyStore(), 'the signing key in Redis (ls:signing-key)');
      return { keys, store: new RedisSessionStore(backplane.redis), invites, revocations, control: null, backplane };
    } catch (e) {
      await backplane.close();
      throw e;
    }
  }
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
  metrics: SignalingMetrics;
  /**
   * Graceful: /readyz turns 503, the listener stops accepting, every signaling socket is told to
   * reconnect (1012, to another instance behind the balancer), requests in flight get until the
   * deadline (shutdownMs), then whatever is left is cut.
   */
  close(): Promise<void>;
}

/** Signaling sockets closed by a shutdown: the client reconnects (elsewhere, or here once back). */
export const CLOSE_RESTARTING = 1012;

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
  const { keys, store, invites, revocations, control, backplane } = await openState(opts.stateDir, opts.redis, log);
  let shuttingDown = false;
  // (in Redis mode: every instance's sessions)
  const metrics = new SignalingMetrics({ connections: () => relay.connections, sessions: () => (store instanceof RedisSessionStore ? store.count() : ((store as { size?: number }).size ?? 0)) });
  const shared = backplane ? new SharedLimits(backplane.redis, opts.heartbeatMs ?? HEARTBEAT_MS) : undefined;
  const operator = createOperatorRoutes({ metrics, notReady: async () => (shuttingDown ? 'shutting down' : ((await backplane?.notReady()) ?? null)) });
  /** HTTP requests being answered now (a shutdown waits for them) */
  let inFlight = 0;
  let drained: (() => void) | undefined;
  const verify = localVerifier(keys.jwks());
  const persist = backplane ? () => backplane.saveControl() : control ? () => control.save() : undefined;
  const api = createApi({ keys, store, verify, revocations, invites, persist, metrics, publicOrigin: opts.publicUrl, limits: opts.limits, turn: opts.turn, trustProxy: opts.trustProxy, shared, onEnd: (id) => relay.closeSession(id) });
  const serveStatic = opts.staticDir === null ? null : createStatic(opts.staticDir ?? DEFAULT_STATIC_DIR);
  const relay: Relay = new Relay({ verify, log, metrics, bus: backplane, shared, heartbeatMs: opts.heartbeatMs, maxSockets: opts.maxSockets, maxSocketsPerAddress: opts.maxSocketsPerAddress, trustProxy: opts.trustProxy, refusal: (c) => revocations.refusal(c), hasSession: (id) => store.has(id), touch: (id) => void store.touch(id) });

  if (backplane) {
    backplane.attachRelay(relay);
    await backplane.attachControl(invites, revocations, (id) => relay.closeSession(id));
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    for (const [k, v] of Object.entries(SECURITY_HEADERS)) res.setHeader(k, v);
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    inFlight++;
    try {
      if (await operator(req, res, path)) return;
      if (await api(req, res, path)) return;
      if (serveStatic) return await serveStatic(req, res, path);
      throw new HttpError(404, 'not-found', `not found: ${path}`);
    } catch (e) {
      if (res.headersSent) return void res.destroy();
      if (e instanceof HttpError) {
        metrics.rejects.inc({ reason: e.code });
        return sendError(res, e);
      }
      const down = await backplane?.notReady();
      if (down) {
        metrics.rejects.inc({ reason: 'backplane-down' });
        log(`http: ${req.method} ${path} failed: ${down}`, 'warn');
        return sendError(res, new HttpError(503, 'unavailable', 'this signaling server cannot reach its shared store right now; try again in a moment'));
      }
      log(`http: ${req.method} ${path} failed: ${e instanceof Error ? e.message : String(e)}`, 'error');
      sendError(res, new HttpError(500, 'internal', 'the signaling server failed to answer; see its log'));
    } finally {
      // answered (or failed): a shutdown waiting for requests in flight may go on
      if (--inFlight === 0) drained?.();
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
    await backplane?.close();
    throw e;
  }
  const port = (server.address() as AddressInfo).port;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;

  let closing: Promise<void> | undefined;
  return {
    url,
    port,
    keys,
    metrics,
    close() {
      closing ??= (async () => {
        shuttingDown = true;
        const deadline = Date.now() + (opts.shutdownMs ?? 10_000);
        const stopped = new Promise<void>((r) => server.close(() => r()));
        server.closeIdleConnections();
        await relay.close(CLOSE_RESTARTING, 'signaling server restarting: reconnect');
        if (inFlight > 0) {
          await new Promise<void>((r) => {
            drained = r;
            setTimeout(r, Math.max(0, deadline - Date.now())).unref();
          });
        }
        if (inFlight > 0) log(`shutdown: ${inFlight} request(s) still open at the deadline were cut`, 'warn');
        server.closeAllConnections();
        await stopped;
        metrics.registry.clear();
        await control?.close();
        await store.close();
        await backplane?.close();
      })();
      return closing;
    }
  };
}
