/**
 * `live-sessions signal [--port N] [--host ADDR] [--state DIR | --no-state] [--trust-proxy]`: runs the signaling
 * server until SIGINT/SIGTERM.
 */
import { DEFAULT_LIMITS } from '../signaling/http-api.ts';
import type { TurnConfig } from '../signaling/turn.ts';
import { startSignaling } from '../signaling/server.ts';
import { StateError } from '../signaling/state-files.ts';
import { envName, parseCount, parseFlags, parseHttpUrl, parsePort, UsageError, versionLine } from './args.ts';
import { MAX_SOCKETS, MAX_SOCKETS_PER_ADDRESS } from '../signaling/relay.ts';
import { redactUrl } from '../signaling/redis-backplane.ts';
import { signalingStateDir } from './state-dir.ts';
import { TURN_FLAGS, turnConfig, TURN_USAGE } from './turn-flags.ts';
import { signalLogger, LOG_LEVELS } from './signal-log.ts';

/** The port `signal` and `start` listen on, and the one `host` looks for, by default. */
export const DEFAULT_PORT = 8787;
export const DEFAULT_HOST = '127.0.0.1';

const USAGE = `Usage: live-sessions signal [--port N] [--host ADDR] [--state DIR | --no-state] [--trust-proxy]

Runs the Live Sessions signaling server: the HTTP API, /.well-known/jwks.json, the ws relay at
/signal, and the built web app.

  --port N      port to listen on (0 picks a free one; default ${DEFAULT_PORT})
  --host ADDR   address to bind (default ${DEFAULT_HOST}; 0.0.0.0 for every interface)
  --state DIR   keep the signing key and sessions in DIR, so links and credentials survive a
                restart (default $LIVE_SESSIONS_STATE_DIR/signaling, else
                \${XDG_STATE_HOME:-~/.local/state}/live-sessions/signaling)
  --no-state    keep them in memory only: a restart ends every session's links
  --trust-proxy behind a reverse proxy you run: rate limits count the address in X-Forwarded-For
  --public-url URL the address people reach this server at behind your proxy (https://signal.example.com):
                   its pages' API calls are accepted from it (the proxy may rewrite Host)
  --redis URL      redis://[:PASSWORD@]HOST:PORT[/DB]: several instances behind one load balancer
                   share keys, sessions, invites, revocations and the relay (--state is then unused)
  --log-level L    error, warn, info (default) or debug; logs are JSON lines on stderr
  --shutdown-timeout S  on SIGTERM: seconds requests in flight get before they are cut (default 10)
  --max-sockets N  signaling connections held at once (default ${MAX_SOCKETS})
  --max-sockets-per-address N  of those, from one client address or IPv6 /64 (default ${MAX_SOCKETS_PER_ADDRESS})
${TURN_USAGE}  -h, --help    show this help
  -V, --version the version

Every flag can also be set in the environment: --trust-proxy as ${envName('trust-proxy')}=1,
--port 9000 as ${envName('port')}=9000 (the flag wins).
`;

export const FLAGS = { port: 'string', host: 'string', state: 'string', 'no-state': 'boolean', 'trust-proxy': 'boolean', help: 'boolean', 'max-sockets': 'string', 'max-sockets-per-address': 'string', 'log-level': 'string', 'shutdown-timeout': 'string', redis: 'string', 'public-url': 'string', ...TURN_FLAGS } as const;

export interface SignalArgs {
  port: number;
  host: string;
  /** null: in memory (--no-state) */
  stateDir: string | null;
  /** --trust-proxy: rate limits use X-Forwarded-For */
  trustProxy: boolean;
  help: boolean;
  version?: boolean;
  maxSockets?: number;
  maxSocketsPerAddress?: number;
  /** --turn-url, --turn-secret(-file), --stun-url */
  turn?: TurnConfig;
  logLevel?: string;
  shutdownMs?: number;
  /** --redis URL: share keys, sessions, decisions and the relay with other instances */
  redis?: string;
  /** --public-url: the origin people reach the server at */
  publicUrl?: string;
}

export function parseSignalArgs(argv: string[], env: NodeJS.ProcessEnv = process.env): SignalArgs {
  const f = parseFlags(argv, FLAGS, env);
  const limits = {
    ...(f['max-sockets'] !== undefined && { maxSockets: parseCount(f['max-sockets'], '--max-sockets', MAX_SOCKETS) }),
    ...(f['max-sockets-per-address'] !== undefined && { maxSocketsPerAddress: parseCount(f['max-sockets-per-address'], '--max-sockets-per-address', MAX_SOCKETS_PER_ADDRESS) }),
    ...(f.version && { version: true }),
    ...(f['shutdown-timeout'] !== undefined && { shutdownMs: parseCount(f['shutdown-timeout'], '--shutdown-timeout', 10, 0) * 1000 })
  };
  if (f['log-level'] !== undefined && !(LOG_LEVELS as readonly string[]).includes(f['log-level'])) {
    throw new UsageError(`--log-level must be one of ${LOG_LEVELS.join(', ')}, not ${JSON.stringify(f['log-level'])}`);
  }
  return {
    ...limits,
    turn: turnConfig(f),
    ...(f['log-level'] !== undefined && { logLevel: f['log-level'] }),
    ...(f.redis !== undefined && { redis: parseRedisUrl(f.redis) }),
    ...(f['public-url'] !== undefined && { publicUrl: parseHttpUrl(f['public-url'], '--public-url') }),
    port: parsePort(f.port, DEFAULT_PORT),
    host: f.host ?? DEFAULT_HOST,
    stateDir: f['no-state'] ? null : (f.state ?? signalingStateDir()),
    trustProxy: !!f['trust-proxy'],
    help: !!f.help
  };
}

function parseRedisUrl(v: string): string {
  let u: URL;
  try {
    u = new URL(v);
  } catch {
    throw new UsageError(`--redis must be a URL like redis://127.0.0.1:6379, not ${JSON.stringify(v.replace(/:[^:@/]*@/, ':***@'))}`);
  }
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:') throw new UsageError('--redis must be a redis:// or rediss:// URL');
  return v;
}

/** Starts the server and resolves once it listens; it stops on SIGINT/SIGTERM. */
export async function runSignal(argv: string[]): Promise<void> {
  let args;
  try {
    args = parseSignalArgs(argv);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    process.stderr.write(`live-sessions signal: ${e.message} (see: live-sessions signal --help)\n`);
    process.exit(2);
  }
  if (args.help) return void process.stdout.write(USAGE);
  if (args.version) return void process.stdout.write(`${versionLine()}\n`);
  const logger = signalLogger(args.logLevel ?? 'info');
  if (args.redis) logger.info({ redis: redactUrl(args.redis) }, `state: shared through Redis at ${redactUrl(args.redis)}`);
  else logger.info({ stateDir: args.stateDir }, args.stateDir === null ? 'state: in memory only (--no-state)' : `state: ${args.stateDir}`);
  let server;
  try {
    server = await startSignaling({
      port: args.port, host: args.host, stateDir: args.stateDir, trustProxy: args.trustProxy, limits: DEFAULT_LIMITS,
      maxSockets: args.maxSockets, maxSocketsPerAddress: args.maxSocketsPerAddress, shutdownMs: args.shutdownMs, redis: args.redis, publicUrl: args.publicUrl, turn: args.turn,
      log: (line, level = 'info') => logger[level](line)
    });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why =
      e instanceof StateError ? e.message
      : code === 'EADDRINUSE' ? `port ${args.port} is already in use: pick another with --port`
      : code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND' ? `cannot bind to ${args.host}: use an address of this machine with --host`
      : code === 'EACCES' ? `not allowed to listen on port ${args.port}: use a port above 1023`
      : e instanceof Error ? e.message : String(e);
    process.stderr.write(`live-sessions signal: ${why}\n`);
    process.exit(1);
  }
  if (args.turn) process.stderr.write(`ice: ${[...args.turn.stunUrls, ...args.turn.turnUrls].join(' ')}\n`);
  logger.info({ url: server.url, publicUrl: args.publicUrl }, 'listening');
  if (args.publicUrl) process.stdout.write(`public address ${args.publicUrl}: point host agents at it (live-sessions host --signaling ${args.publicUrl})\n`);
  process.stdout.write(`listening on ${server.url}\n`);
  const stop = (signal: string): void => {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
    logger.info({ signal }, `${signal}: shutting down (clients are told to reconnect)`);
    // whatever happens, the process is gone shortly after the deadline
    setTimeout(() => process.exit(1), (args.shutdownMs ?? 10_000) + 5000).unref();
    server.close().then(
      () => logger.info('stopped'),
      (e) => {
        logger.error(`shutdown failed: ${e}`);
        process.exitCode = 1;
      }
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}
